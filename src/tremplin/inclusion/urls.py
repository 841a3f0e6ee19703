from django.urls import path

from tremplin.inclusion import (
    duplicate_views,
    hours_views,
    import_views,
    mode_rule_views,
    outcome_views,
    pool_views,
    views,
)

app_name = "inclusion"

urlpatterns = [
    path("", views.participant_list, name="participant_list"),
    path("nouveau/", views.participant_create, name="participant_create"),
    path("<int:pk>/", views.participant_detail, name="participant_detail"),
    path("<int:pk>/modifier/", views.participant_update, name="participant_update"),
    path("<int:pk>/criteres/", views.criterion_set, name="criterion_set"),
    path("criteres/<int:pk>/retirer/", views.criterion_remove, name="criterion_remove"),
    path("<int:pk>/mises-en-emploi/nouvelle/", views.placement_create, name="placement_create"),
    path("mises-en-emploi/lots/", views.placement_lots, name="placement_lots"),
    path("mises-en-emploi/postes/", views.job_search, name="job_search"),
    path("mises-en-emploi/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("mises-en-emploi/<int:pk>/heures/", views.hours_record, name="hours_record"),
    path("heures/a-valider/", views.hours_review, name="hours_review"),
    path("heures/validees/", hours_views.validated_hours, name="validated_hours"),
    path("heures/<int:pk>/valider/", views.hours_validate, name="hours_validate"),
    path("heures/<int:pk>/refuser/", views.hours_reject, name="hours_reject"),
    path("heures/<int:pk>/rouvrir/", views.hours_reopen, name="hours_reopen"),
    path("heures/valider-lot/", views.hours_validate_bulk, name="hours_validate_bulk"),
    # Spreadsheet imports of monthly hours.
    path("imports/", import_views.hours_import_start, name="hours_import_start"),
    path(
        "imports/modele/",
        import_views.hours_import_template_choice,
        name="hours_import_template_choice",
    ),
    path(
        "imports/modele/<int:pk>/",
        import_views.hours_import_template,
        name="hours_import_template",
    ),
    path("imports/<int:pk>/", import_views.hours_import_detail, name="hours_import_detail"),
    path(
        "imports/<int:pk>/colonnes/",
        import_views.hours_import_columns,
        name="hours_import_columns",
    ),
    path(
        "imports/<int:pk>/progression/",
        import_views.hours_import_progress,
        name="hours_import_progress",
    ),
    path(
        "imports/<int:pk>/erreurs.xlsx",
        import_views.hours_import_report,
        name="hours_import_report",
    ),
]

# Possible duplicates, and merging them.
urlpatterns += [
    path("doublons/", duplicate_views.duplicate_list, name="duplicate_list"),
    path(
        "<int:pk>/fusionner/<int:other_pk>/",
        duplicate_views.participant_merge,
        name="participant_merge",
    ),
]

# The network's counting rules per execution mode (weights and caps).
urlpatterns += [
    path("regles-de-comptage/", mode_rule_views.mode_rules, name="mode_rules"),
]

# Outcomes at exit and at six months, ESF entry data.
urlpatterns += [
    path("<int:pk>/sorties/nouvelle/", outcome_views.outcome_create, name="outcome_create"),
    path("sorties/<int:pk>/modifier/", outcome_views.outcome_update, name="outcome_update"),
    path("sorties/<int:pk>/retirer/", outcome_views.outcome_delete, name="outcome_delete"),
    path("sorties/a-6-mois/", outcome_views.outcomes_due, name="outcomes_due"),
    path("<int:pk>/fse/nouvelle/", outcome_views.esf_entry_create, name="esf_entry_create"),
    path("fse/<int:pk>/modifier/", outcome_views.esf_entry_update, name="esf_entry_update"),
    path("fse/<int:pk>/retirer/", outcome_views.esf_entry_delete, name="esf_entry_delete"),
]

# Pooled hours ("mutualisation"): one person's job counting for several contracts.
urlpatterns += [
    path("mutualisations/", pool_views.pool_list, name="pool_list"),
    path("mutualisations/nouvelle/", pool_views.pool_create, name="pool_create"),
    path("mutualisations/marches/", pool_views.pool_contracts, name="pool_contracts"),
    path("mutualisations/apercu/", pool_views.pool_preview, name="pool_preview"),
    path("mutualisations/<int:pk>/", pool_views.pool_detail, name="pool_detail"),
    path("mutualisations/<int:pk>/repartition/", pool_views.pool_rule, name="pool_rule"),
    path(
        "mutualisations/<int:pk>/mois/", pool_views.pooled_month_record, name="pooled_month_record"
    ),
    path(
        "mutualisations/mois/<int:pk>/valider/",
        pool_views.pooled_month_validate,
        name="pooled_month_validate",
    ),
    path(
        "mutualisations/mois/<int:pk>/rouvrir/",
        pool_views.pooled_month_reopen,
        name="pooled_month_reopen",
    ),
    path(
        "mutualisations/mois/<int:pk>/retirer/",
        pool_views.pooled_month_remove,
        name="pooled_month_remove",
    ),
]
