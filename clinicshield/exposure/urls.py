"""Pages of the exposure app, mounted at /o/<org_slug>/exposure/."""

from django.urls import path

from .views import hosts, networks, overview, scans, segmentation

app_name = "exposure"

urlpatterns = [
    path("", overview.index, name="index"),
    path("networks/add/", networks.add_network, name="add_network"),
    path("networks/<int:network_id>/remove/", networks.remove_network, name="remove_network"),
    path("scans/start/", scans.start_scan, name="start_scan"),
    path("scans/import/", scans.import_xml, name="import_xml"),
    path("scans/<int:scan_id>/", scans.scan_detail, name="scan"),
    path("hosts/<str:address>/", hosts.host_detail, name="host"),
    path("segmentation/", segmentation.segmentation, name="segmentation"),
    path("segmentation/matrix.svg", segmentation.matrix_svg, name="matrix_svg"),
]
