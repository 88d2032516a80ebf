SELECT
  "t1"."campaign_id",
  "t1"."period",
  "t1"."level",
  "t1"."currency",
  "t1"."platform",
  COUNT_IF(NOT (
    "t1"."_crosses"
  )) AS "_rows",
  SUM(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."impressions", NULL)) AS "impressions",
  COUNT(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."impressions", NULL)) AS "_n_impressions",
  SUM(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."reach", NULL)) AS "reach",
  COUNT(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."reach", NULL)) AS "_n_reach",
  SUM(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."clicks", NULL)) AS "clicks",
  COUNT(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."clicks", NULL)) AS "_n_clicks",
  SUM(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."spend", NULL)) AS "spend",
  COUNT(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."spend", NULL)) AS "_n_spend",
  SUM(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."conversions", NULL)) AS "conversions",
  COUNT(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."conversions", NULL)) AS "_n_conversions",
  SUM(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."conversion_value", NULL)) AS "revenue",
  COUNT(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."conversion_value", NULL)) AS "_n_revenue",
  SUM(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."engagements", NULL)) AS "engagements",
  COUNT(IFF(NOT (
    "t1"."_crosses"
  ), "t1"."engagements", NULL)) AS "_n_engagements",
  COUNT_IF("t1"."_crosses") AS "_crossing"
FROM (
  SELECT
    "t0"."date",
    "t0"."date_end",
    "t0"."platform",
    "t0"."account_id",
    "t0"."level",
    "t0"."campaign_id",
    "t0"."campaign_name",
    "t0"."campaign_type",
    "t0"."ad_set",
    "t0"."ad_set_name",
    "t0"."ad_id",
    "t0"."ad_name",
    "t0"."strategy",
    "t0"."targeting",
    "t0"."segment_id",
    "t0"."age",
    "t0"."gender",
    "t0"."interest",
    "t0"."placement",
    "t0"."region",
    "t0"."device",
    "t0"."keyword",
    "t0"."match_type",
    "t0"."search_term",
    "t0"."impressions",
    "t0"."reach",
    "t0"."clicks",
    "t0"."engagements",
    "t0"."views",
    "t0"."spend",
    "t0"."conversions",
    "t0"."approved_conversions",
    "t0"."conversion_value",
    "t0"."results",
    "t0"."result_type",
    UPPER("t0"."currency") AS "currency",
    "t0"."source_id",
    "t0"."source_row",
    DATE_TRUNC('MONTH', "t0"."date") AS "period",
    COALESCE(
      (
        "t0"."date_end" IS NOT NULL
      )
      AND (
        DATE_TRUNC('MONTH', "t0"."date") <> DATE_TRUNC('MONTH', "t0"."date_end")
      ),
      FALSE
    ) AS "_crosses"
  FROM "ad_performance" AS "t0"
) AS "t1"
GROUP BY
  1,
  2,
  3,
  4,
  5
