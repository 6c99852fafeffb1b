from api.cli.main import main

main(prog_name="kompas")
