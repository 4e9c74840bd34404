from django.apps import AppConfig


class ExecBlogConfig(AppConfig):
    name = "exec_blog"
