from mockaws.cli import main

main()
