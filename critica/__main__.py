from critica.cli.commands import main

main()
