"""Map data this server serves itself, so that no map request leaves it unless configured:
the street layer (a department's GeoJSON file, or the demo town's streets) and camera places."""
