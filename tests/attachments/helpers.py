"""Uploading in attachments tests."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from attachments import services


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def post_upload(client, content: bytes, name="upload.bin", alt="A description"):
    data = {"file": SimpleUploadedFile(name, content, "application/octet-stream")}
    if alt is not None:
        data["alt"] = alt
    return client.post("/api/v1/uploads/", data, format="multipart")


def make_upload(user, content: bytes, name="photo.jpg", alt="A red square"):
    return services.upload_create(uploader=user, upload=SimpleUploadedFile(name, content), alt=alt)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
