"""What the operator declares: the settings file, secret references, the inventory of offices and the shapes
typed values must take. Built once at the edge and passed down."""
