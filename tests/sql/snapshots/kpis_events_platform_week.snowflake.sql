SELECT
  "t6"."platform",
  "t6"."period",
  "t6"."strategy",
  "t6"."impressions",
  "t6"."clicks",
  "t6"."spend",
  "t6"."conversions",
  "t6"."revenue",
  "t6"."_revenue_missing",
  "t6"."engagements",
  "t6"."organic_impressions",
  "t6"."_paid_impressions",
  "t6"."_paid_cost",
  "t4"."reach"
FROM (
  SELECT
    "t1"."platform",
    "t1"."period",
    "t1"."strategy",
    COUNT_IF("t1"."event_type" = 'impression') AS "impressions",
    COUNT_IF("t1"."event_type" = 'click') AS "clicks",
    SUM("t1"."cost") AS "spend",
    COUNT_IF("t1"."event_type" = 'purchase') AS "conversions",
    SUM(IFF("t1"."event_type" = 'purchase', "t1"."revenue", NULL)) AS "revenue",
    COUNT_IF((
      "t1"."event_type" = 'purchase'
    ) AND (
      "t1"."revenue" IS NULL
    )) AS "_revenue_missing",
    COUNT_IF("t1"."event_type" IN ('like', 'comment', 'share', 'save', 'follow')) AS "engagements",
    COUNT_IF(
      (
        "t1"."event_type" = 'impression'
      )
      AND (
        (
          "t1"."cost" IS NULL
        ) OR (
          "t1"."cost" = 0
        )
      )
    ) AS "organic_impressions",
    COUNT_IF((
      "t1"."event_type" = 'impression'
    ) AND (
      "t1"."cost" > 0
    )) AS "_paid_impressions",
    SUM(
      IFF((
        "t1"."event_type" = 'impression'
      ) AND (
        "t1"."cost" > 0
      ), "t1"."cost", NULL)
    ) AS "_paid_cost"
  FROM (
    SELECT
      "t0"."event_id",
      "t0"."ts",
      "t0"."user_id",
      "t0"."session_id",
      "t0"."event_type",
      "t0"."strategy",
      "t0"."targeting",
      "t0"."platform",
      "t0"."campaign_id",
      "t0"."ad_id",
      "t0"."post_id",
      "t0"."creator_id",
      "t0"."segment_id",
      "t0"."device",
      "t0"."region",
      "t0"."query",
      "t0"."moment",
      "t0"."cost",
      "t0"."revenue",
      CAST(DATE_TRUNC('WEEK', "t0"."ts") AS DATE) AS "period"
    FROM "events" AS "t0"
  ) AS "t1"
  GROUP BY
    1,
    2,
    3
) AS "t6"
LEFT OUTER JOIN (
  SELECT
    "t2"."platform",
    "t2"."period",
    COUNT(DISTINCT "t2"."user_id") AS "reach"
  FROM (
    SELECT
      "t0"."event_id",
      "t0"."ts",
      "t0"."user_id",
      "t0"."session_id",
      "t0"."event_type",
      "t0"."strategy",
      "t0"."targeting",
      "t0"."platform",
      "t0"."campaign_id",
      "t0"."ad_id",
      "t0"."post_id",
      "t0"."creator_id",
      "t0"."segment_id",
      "t0"."device",
      "t0"."region",
      "t0"."query",
      "t0"."moment",
      "t0"."cost",
      "t0"."revenue",
      CAST(DATE_TRUNC('WEEK', "t0"."ts") AS DATE) AS "period"
    FROM "events" AS "t0"
    WHERE
      "t0"."event_type" = 'impression'
  ) AS "t2"
  GROUP BY
    1,
    2
) AS "t4"
  ON "t6"."platform" IS NOT DISTINCT FROM "t4"."platform"
  AND "t6"."period" IS NOT DISTINCT FROM "t4"."period"
