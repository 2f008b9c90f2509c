from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.urls import grader_urlpatterns as grader_api_urls
from core import views as core_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/signup/", core_views.signup, name="signup"),
    path("progress/", core_views.progress, name="progress"),
    path("healthz", core_views.health, name="health"),
    path("api/v1/", include(grader_api_urls)),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("teach/", include("courses.urls_teach")),
    path("courses/", include("courses.urls_student")),
    path("lti/", include("lti.urls")),
    path("", include("grader.urls")),
    path("", include("quizzes.urls")),
]
