# Guarded: a worker process started with "spawn" imports the main module
# (``python -m verifier``) again, and must neither run the command nor load
# the command line's modules (half a second of CPU for a worker that only
# extracts page text).
if __name__ == "__main__":
    from verifier.cli import main

    main()
