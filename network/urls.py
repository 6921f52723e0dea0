from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/document/", views.call_document, name="call_document"),
    path("reminders/", views.reminders, name="reminders"),
]
