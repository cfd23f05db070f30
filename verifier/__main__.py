from verifier.cli import main

# Guarded: a worker process started with "spawn" imports the main module
# (``python -m verifier``) and must not run the command again.
if __name__ == "__main__":
    main()
