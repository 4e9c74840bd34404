from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status as http
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.uploads import TooLarge, megabytes, upload_too_large

from . import selectors, services
from .serializers import AttachmentSerializer, UploadCreateSerializer, UploadUpdateSerializer


class UploadView(APIView):
    """Upload a picture, file or video, then attach it within 24 hours by sending its id in
    `attachments` when writing a status, comment, blog post or idea. 413 too large, 400 a kind
    we do not take (named), 429 over the daily quota."""

    # FormParser too: a form post without a file is refused by its CSRF check (403), not 415.
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=UploadCreateSerializer, responses={201: AttachmentSerializer})
    def post(self, request):
        files = request.FILES
        if upload_too_large(request):
            limit = megabytes(settings.UPLOAD_MAX_BYTES)
            raise TooLarge({"file": f"Files may be at most {limit}."})
        if len(files.getlist("file")) > 1 or len(files) > 1:
            return Response({"file": ["Send one file at a time."]}, status=400)
        data = UploadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = services.upload_create(
            uploader=request.user,
            upload=data.validated_data["file"],
            alt=data.validated_data.get("alt", ""),
        )
        return Response(AttachmentSerializer(attachment).data, status=http.HTTP_201_CREATED)


class UploadDetailView(APIView):
    """Your own upload: read it, or describe it (`alt`)."""

    @extend_schema(responses=AttachmentSerializer)
    def get(self, request, token: str):
        attachment = selectors.upload_get_for_uploader(user=request.user, token=token)
        return Response(AttachmentSerializer(attachment).data)

    @extend_schema(request=UploadUpdateSerializer, responses=AttachmentSerializer)
    def patch(self, request, token: str):
        attachment = selectors.upload_get_for_uploader(user=request.user, token=token)
        data = UploadUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.upload_update(user=request.user, attachment=attachment, **data.validated_data)
        return Response(AttachmentSerializer(attachment).data)
