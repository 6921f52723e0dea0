from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/document/", views.call_document, name="call_document"),
    path("reminders/", views.reminders, name="reminders"),
    path("scores/", views.own_scores, name="scores"),
    path("circulars/", views.circular_list, name="circulars"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular"),
    path("circulars/<int:pk>/<str:fmt>/", views.circular_file, name="circular_file"),
    path("instructions/", views.instruction_list, name="instructions"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction"),
    path("instructions/<int:pk>/scan/", views.instruction_scan, name="instruction_scan"),
    path("instructions/<int:pk>/feedback/file/", views.feedback_file, name="feedback_file"),
]
