from django.urls import path

from netral.commitments import views

app_name = "commitments"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("tanpa-pakta/", views.missing, name="missing"),
    path("pakta/upacara/", views.ceremony_pacts, name="ceremony_pacts"),
    path("pakta/tandatangani/", views.sign_pact, name="sign"),
    path("pakta/instansi/<str:code>/", views.agency_pacts, name="agency_pacts"),
    path("pakta/<str:code>/", views.my_pact, name="my_pact"),
    path("pakta/<str:code>/pdf/", views.pact_pdf, name="pact_pdf"),
    path("ikrar/", views.ceremonies, name="ceremonies"),
    path("ikrar/<int:pk>/", views.ceremony, name="ceremony"),
    path("sosialisasi/", views.events, name="events"),
    path("sosialisasi/<int:pk>/", views.event, name="event"),
    path("edaran/", views.circulars, name="circulars"),
]
