from fanarchive.cli import main

main()
