"""A small Flask app for the end-to-end tests and the benchmark."""
import hashlib

from flask import Flask, Response, jsonify, request, stream_with_context

app = Flask(__name__)


@app.get("/")
def hello():
    return Response("Hello, World!\n", mimetype="text/plain")


@app.get("/json")
def json_view():
    return jsonify(args=request.args.to_dict(), path=request.path, script_root=request.script_root)


@app.post("/echo")
def echo():
    data = request.get_data()
    return jsonify(length=len(data), sha256=hashlib.sha256(data).hexdigest(), content_type=request.content_type)


@app.post("/upload")
def upload():
    f = request.files["file"]
    data = f.read()
    return jsonify(filename=f.filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(), form=request.form.to_dict())


@app.get("/stream")
def stream():
    count = int(request.args.get("n", "5"))

    def generate():
        for i in range(count):
            yield f"line {i}\n"

    return Response(stream_with_context(generate()), mimetype="text/plain")


@app.get("/error")
def error():
    raise RuntimeError("boom from flask")


def create_app():
    """Factory form, for `tsgi 'app:create_app()'`."""
    return app
