from scamscreen.cli import main

main()
