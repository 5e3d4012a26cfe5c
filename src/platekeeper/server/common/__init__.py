"""Small helpers shared by the server apps."""
