"""Views the end-to-end tests drive: a CSRF-protected form, a file upload, the environ as JSON."""
import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt


def form(request):
    if request.method == "POST":
        return HttpResponse("got: " + request.POST.get("message", ""), content_type="text/plain")
    return render(request, "form.html")


@csrf_exempt
def upload(request):
    files = {
        name: {"size": f.size, "sha256": hashlib.sha256(f.read()).hexdigest(), "filename": f.name}
        for name, f in request.FILES.items()
    }
    return JsonResponse({"files": files, "fields": request.POST.dict()})


def environ(request):
    return JsonResponse({k: v for k, v in request.META.items() if isinstance(v, str)})


def hello(request):
    return HttpResponse("Hello from Django\n", content_type="text/plain")
