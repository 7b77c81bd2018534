"""What the build publishes from the pipeline's layers: the dumps, the entity documents, the annotations, the dataset description, the Wikidata view and the site."""
