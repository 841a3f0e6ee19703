from django.urls import path

from tremplin.reporting import (
    funder_views,
    indicator_views,
    network_views,
    opportunity_views,
    report_views,
)

app_name = "reporting"

urlpatterns = [
    path("reseau/", network_views.network_dashboard, name="network_dashboard"),
    path(
        "reseau/structures/<int:pk>/",
        network_views.structure_consolidation,
        name="structure_consolidation",
    ),
    path("indicateurs/", indicator_views.indicators_page, name="indicators"),
    path("rapport/", report_views.impact_report, name="impact_report"),
    path("rapport/pdf/", report_views.impact_report_pdf, name="impact_report_pdf"),
    path("rapport/xlsx/", report_views.impact_report_xlsx, name="impact_report_xlsx"),
    path("marches/<int:pk>/fiche/", report_views.contract_sheet, name="contract_sheet"),
    path("opportunites/fiche/", opportunity_views.opportunity_sheet, name="opportunity_sheet"),
    path("rapports/", funder_views.reports, name="reports"),
    path("rapports/fse/", funder_views.esf_report, name="esf_report"),
    path("rapports/enquete-nationale/", funder_views.national_survey, name="national_survey"),
    path("rapports/spaser/", funder_views.spaser_report, name="spaser_report"),
]
