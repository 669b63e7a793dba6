"""URL configuration for the test site (made with `django-admin startproject testsite`)."""
from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("form/", views.form),
    path("upload/", views.upload),
    path("environ/", views.environ),
    path("", views.hello),
]
