"""The patches of moto 5.2.5 that tests/moto/server.py applies, one module per area; the list,
with the AWS documentation behind each, is server.py's docstring."""
