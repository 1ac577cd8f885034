"""Pages of the exposure app, mounted at /o/<org_slug>/exposure/."""

from django.urls import path

from . import views, views_segmentation

app_name = "exposure"

urlpatterns = [
    path("", views.index, name="index"),
    path("networks/add/", views.add_network, name="add_network"),
    path("networks/<int:network_id>/remove/", views.remove_network, name="remove_network"),
    path("scans/start/", views.start_scan, name="start_scan"),
    path("scans/import/", views.import_xml, name="import_xml"),
    path("scans/<int:scan_id>/", views.scan_detail, name="scan"),
    path("hosts/<str:address>/", views.host_detail, name="host"),
    path("segmentation/", views_segmentation.segmentation, name="segmentation"),
    path("segmentation/matrix.svg", views_segmentation.matrix_svg, name="matrix_svg"),
]
