from critica.cli import main

main()
