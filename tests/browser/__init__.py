# Makes this directory a package, so its conftest.py is imported as "browser.conftest" and does not
# replace the root tests/conftest.py in sys.modules["conftest"] (the suite does `from conftest import hx`).
