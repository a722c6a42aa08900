from django.contrib.auth import views as auth_views
from django.urls import path

from netral.accounts import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views.otp_verify, name="otp"),
    path("otp/daftar/", views.otp_enrol, name="otp_enrol"),
    path("token/", views.api_tokens, name="tokens"),
    path("kustodian/", views.custodians, name="custodians"),
    path("token/<int:pk>/cabut/", views.api_token_revoke, name="token_revoke"),
]
