"""Turn a data folder (YAML registries, source texts, annotations) into RDF triples.

The loader is the bottom layer of akg: it imports nothing else from the project.
Its entry point is :func:`loader.build.load_data_folder`.
"""
