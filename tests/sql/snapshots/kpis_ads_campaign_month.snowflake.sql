SELECT
  "t2"."campaign_id",
  "t2"."period",
  "t2"."impressions",
  "t2"."reach",
  "t2"."clicks",
  "t2"."spend",
  "t2"."conversions",
  "t2"."revenue",
  "t2"."engagements",
  "t2"."organic_impressions",
  (
    CAST("t2"."impressions" AS DOUBLE) * 1.0
  ) / NULLIF(CAST("t2"."reach" AS DOUBLE), 0.0) AS "frequency",
  (
    CAST("t2"."clicks" AS DOUBLE) * 1.0
  ) / NULLIF(CAST("t2"."impressions" AS DOUBLE), 0.0) AS "ctr",
  (
    "t2"."spend" * 1000.0
  ) / NULLIF(CAST("t2"."impressions" AS DOUBLE), 0.0) AS "cpm",
  (
    "t2"."spend" * 1.0
  ) / NULLIF(CAST("t2"."clicks" AS DOUBLE), 0.0) AS "cpc",
  (
    "t2"."conversions" * 1.0
  ) / NULLIF(CAST("t2"."clicks" AS DOUBLE), 0.0) AS "cvr",
  (
    "t2"."spend" * 1.0
  ) / NULLIF("t2"."conversions", 0.0) AS "cpa",
  (
    "t2"."revenue" * 1.0
  ) / NULLIF("t2"."spend", 0.0) AS "roas",
  (
    (
      "t2"."revenue" - "t2"."spend"
    ) * 1.0
  ) / NULLIF("t2"."spend", 0.0) AS "roi",
  (
    CAST("t2"."engagements" AS DOUBLE) * 1.0
  ) / NULLIF(CAST("t2"."impressions" AS DOUBLE), 0.0) AS "engagement_rate",
  (
    "t2"."spend" * 1.0
  ) / NULLIF(CAST("t2"."engagements" AS DOUBLE), 0.0) AS "cost_per_engagement",
  CAST(NULL AS DOUBLE) AS "emv"
FROM (
  SELECT
    "t1"."campaign_id",
    "t1"."period",
    COALESCE(SUM("t1"."impressions"), 0) AS "impressions",
    SUM("t1"."reach") AS "reach",
    COALESCE(SUM("t1"."clicks"), 0) AS "clicks",
    COALESCE(SUM("t1"."spend"), 0.0) AS "spend",
    COALESCE(SUM("t1"."conversions"), 0.0) AS "conversions",
    COALESCE(SUM("t1"."conversion_value"), 0.0) AS "revenue",
    COALESCE(SUM("t1"."engagements"), 0) AS "engagements",
    0 AS "organic_impressions"
  FROM (
    SELECT
      "t0"."date",
      "t0"."date_end",
      "t0"."platform",
      "t0"."campaign_id",
      "t0"."campaign_name",
      "t0"."ad_set",
      "t0"."ad_id",
      "t0"."strategy",
      "t0"."targeting",
      "t0"."segment_id",
      "t0"."age",
      "t0"."gender",
      "t0"."interest",
      "t0"."impressions",
      "t0"."reach",
      "t0"."clicks",
      "t0"."engagements",
      "t0"."spend",
      "t0"."conversions",
      "t0"."approved_conversions",
      "t0"."conversion_value",
      "t0"."currency",
      DATE_TRUNC('MONTH', "t0"."date") AS "period"
    FROM "ad_performance" AS "t0"
  ) AS "t1"
  GROUP BY
    1,
    2
) AS "t2"
ORDER BY
  "t2"."campaign_id" ASC,
  "t2"."period" ASC
