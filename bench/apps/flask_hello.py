"""Flask hello world for the benchmarks."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!\n", 200, {"Content-Type": "text/plain"}
