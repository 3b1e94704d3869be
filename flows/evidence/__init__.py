"""What is kept when an office fails: screenshots, the HTML of every frame and snapshots, with every typed
secret emptied first."""
