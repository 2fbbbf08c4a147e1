from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from critica.errors import InputError
from critica.inputs.readers import ReadOptions, Record, Rejected, parse_mapping, read

REVIEW = "A warm, witty film with a superb lead performance."


def records(paths, **kw):
    return list(read(paths, ReadOptions(**kw)))


def test_jsonl_with_a_bad_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(
        json.dumps({"text": REVIEW, "title": "Film A", "critic": "Ann"}) + "\n"
        "{not json\n" + json.dumps(["a list"]) + "\n" + json.dumps({"title": "Film B"}) + "\n"
    )
    out = records([path])
    assert isinstance(out[0], Record) and out[0].fields["critic"] == "Ann"
    assert [type(o) for o in out[1:]] == [Rejected, Rejected, Rejected]
    assert out[1].source.endswith(":2") and "JSON" in out[1].reason
    assert "no review text" in out[3].reason


def test_csv_mapping_and_broken_quoting(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(f'film,words,who\nFilm A,"{REVIEW}",Ann\nFilm B,"unterminated, Bob\n')
    out = records([path], mapping=parse_mapping("title=film,text=words,critic=who"))
    assert out[0].fields == {"title": "Film A", "text": REVIEW, "critic": "Ann"}
    assert all(isinstance(o, Rejected) for o in out[1:])


def test_csv_extra_cells_rejected_with_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(f"title,text\nFilm A,{REVIEW.replace(',', '')}\nFilm B,one,two\n")
    out = records([path])
    assert isinstance(out[0], Record)
    assert isinstance(out[1], Rejected) and out[1].source.endswith(":3")


def test_rotten_tomatoes_layout_is_recognised(tmp_path):
    (tmp_path / "movies.csv").write_text(
        '"movieId","movieTitle","movieYear"\n"m1","Toy Story",1995\n'
    )
    (tmp_path / "critic_reviews.csv").write_text(
        '"creationDate","criticName","isTopCritic","publicationName","quote","originalScore","movieId"\n'
        f'"1995-11-22","Ann","True","The Paper","{REVIEW}","3/4","m1"\n'
    )
    (out,) = records([tmp_path])
    assert out.fields["title"] == "Toy Story" and out.fields["year"] == "1995"
    assert out.fields["rating"] == "3/4" and out.fields["top_critic"] == "True"
    assert out.fields["publication"] == "The Paper"


def test_parquet(tmp_path):
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"text": [REVIEW, ""], "title": ["Film A", "Film B"]}), path)
    out = records([path])
    assert isinstance(out[0], Record) and isinstance(out[1], Rejected)


def test_text_and_html_files_take_the_title_option(tmp_path):
    (tmp_path / "a.txt").write_text(REVIEW)
    (tmp_path / "b.html").write_text(f"<html><body><p>{REVIEW}</p></body></html>")
    out = records([tmp_path], defaults={"title": "Film A"})
    assert [o.fields["title"] for o in out] == ["Film A", "Film A"]
    assert out[1].fields["content_type"] == "html"


def test_missing_path_and_binary_file(tmp_path):
    (tmp_path / "x.txt").write_bytes(b"\x00\x01binary")
    out = records([tmp_path / "nope", tmp_path / "x.txt"], defaults={"title": "T"})
    assert all(isinstance(o, Rejected) for o in out)
    assert "no such file" in out[0].reason and "binary" in out[1].reason


@pytest.mark.parametrize("spec", ["text", "nope=col", "text="])
def test_bad_mapping(spec):
    with pytest.raises(InputError, match="field=column"):
        parse_mapping(spec)


def test_hostile_jsonl_lines_are_rejected_and_the_rest_read(tmp_path):
    path = tmp_path / "hostile.jsonl"
    good = json.dumps({"text": "A fine film.", "title": "Film"})
    path.write_bytes(
        b"\n".join(
            [
                ("[" * 100_000 + "]" * 100_000).encode(),  # nested past the recursion limit
                b'{"text": "caf\xe9 \xff\xfe broken utf-8", "title": "Film"}',
                b'{"text": "<script>alert(1)</script><img src=x onerror=alert(2)>", "title": "F"}',
                b'{"text": {"nested": "object"}, "title": "Film"}',
                b"[1, 2, 3]",
                good.encode(),
            ]
        )
    )
    items = list(read([path], ReadOptions()))
    reasons = [i.reason for i in items if isinstance(i, Rejected)]
    records = [i for i in items if isinstance(i, Record)]
    assert "nested too deeply" in reasons[0]
    assert any("JSON object" in r for r in reasons)
    assert any("the review text is a JSON dict, not text" in r for r in reasons)
    texts = [r.fields["text"] for r in records]
    assert "A fine film." in texts and any("broken utf-8" in t for t in texts)
    assert any("<script>" in t for t in texts)  # kept as text; the cleaner and the pages escape it


def test_an_empty_text_is_not_told_to_map_a_column(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(
        json.dumps({"text": "   ", "title": "Film A"})
        + "\n"
        + json.dumps({"title": "Film B"})
        + "\n"
    )
    blank, missing = records([path])
    assert isinstance(blank, Rejected) and "the review text is empty" in blank.reason
    assert "--map" not in blank.reason
    assert isinstance(missing, Rejected) and "--map text=COLUMN" in missing.reason
    mapped = tmp_path / "m.csv"
    mapped.write_text("body,film\n,Film C\n")
    (row,) = records([mapped], mapping={"text": "body", "title": "film"})
    assert isinstance(row, Rejected) and "the review text is empty" in row.reason
