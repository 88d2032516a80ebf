SELECT
  "t15"."impressions",
  "t15"."reach",
  "t15"."clicks",
  "t15"."spend",
  "t15"."conversions",
  "t15"."revenue",
  "t15"."engagements",
  "t15"."organic_impressions",
  "t15"."frequency",
  "t15"."ctr",
  "t15"."cpm",
  "t15"."cpc",
  "t15"."cvr",
  "t15"."cpa",
  "t15"."roas",
  "t15"."roi",
  "t15"."engagement_rate",
  "t15"."cost_per_engagement",
  "t18"."emv"
FROM (
  SELECT
    "t12"."impressions",
    "t12"."clicks",
    "t12"."spend",
    "t12"."conversions",
    "t12"."revenue",
    "t12"."engagements",
    "t12"."organic_impressions",
    "t12"."reach",
    (
      CAST("t12"."impressions" AS DOUBLE) * 1.0
    ) / NULLIF(CAST("t12"."reach" AS DOUBLE), 0.0) AS "frequency",
    (
      CAST("t12"."clicks" AS DOUBLE) * 1.0
    ) / NULLIF(CAST("t12"."impressions" AS DOUBLE), 0.0) AS "ctr",
    (
      "t12"."spend" * 1000.0
    ) / NULLIF(CAST("t12"."impressions" AS DOUBLE), 0.0) AS "cpm",
    (
      "t12"."spend" * 1.0
    ) / NULLIF(CAST("t12"."clicks" AS DOUBLE), 0.0) AS "cpc",
    (
      CAST("t12"."conversions" AS DOUBLE) * 1.0
    ) / NULLIF(CAST("t12"."clicks" AS DOUBLE), 0.0) AS "cvr",
    (
      "t12"."spend" * 1.0
    ) / NULLIF(CAST("t12"."conversions" AS DOUBLE), 0.0) AS "cpa",
    (
      "t12"."revenue" * 1.0
    ) / NULLIF("t12"."spend", 0.0) AS "roas",
    (
      (
        "t12"."revenue" - "t12"."spend"
      ) * 1.0
    ) / NULLIF("t12"."spend", 0.0) AS "roi",
    (
      CAST("t12"."engagements" AS DOUBLE) * 1.0
    ) / NULLIF(CAST("t12"."impressions" AS DOUBLE), 0.0) AS "engagement_rate",
    (
      "t12"."spend" * 1.0
    ) / NULLIF(CAST("t12"."engagements" AS DOUBLE), 0.0) AS "cost_per_engagement"
  FROM (
    SELECT
      "t9"."impressions",
      "t9"."clicks",
      "t9"."spend",
      "t9"."conversions",
      "t9"."revenue",
      "t9"."engagements",
      "t9"."organic_impressions",
      "t8"."reach"
    FROM (
      SELECT
        SUM(IFF("t0"."event_type" = 'impression', 1, 0)) AS "impressions",
        SUM(IFF("t0"."event_type" = 'click', 1, 0)) AS "clicks",
        COALESCE(SUM("t0"."cost"), 0.0) AS "spend",
        SUM(IFF("t0"."event_type" = 'purchase', 1, 0)) AS "conversions",
        COALESCE(SUM(IFF("t0"."event_type" = 'purchase', "t0"."revenue", NULL)), 0.0) AS "revenue",
        SUM(IFF("t0"."event_type" IN ('like', 'comment', 'share', 'save', 'follow'), 1, 0)) AS "engagements",
        SUM(
          IFF(
            (
              "t0"."event_type" = 'impression'
            )
            AND (
              (
                "t0"."cost" IS NULL
              ) OR (
                "t0"."cost" = 0
              )
            ),
            1,
            0
          )
        ) AS "organic_impressions"
      FROM "events" AS "t0"
    ) AS "t9"
    CROSS JOIN (
      SELECT
        COUNT(DISTINCT "t1"."user_id") AS "reach"
      FROM (
        SELECT
          *
        FROM "events" AS "t0"
        WHERE
          "t0"."event_type" = 'impression'
      ) AS "t1"
    ) AS "t8"
  ) AS "t12"
) AS "t15"
CROSS JOIN (
  SELECT
    SUM("t16"."v") AS "emv"
  FROM (
    SELECT
      "t13"."platform",
      "t13"."n",
      "t13"."platform_right",
      "t13"."paid_cpm",
      (
        CAST("t13"."n" AS DOUBLE) * "t13"."paid_cpm"
      ) / 1000.0 AS "v"
    FROM (
      SELECT
        "t7"."platform",
        "t7"."n",
        "t11"."platform" AS "platform_right",
        "t11"."paid_cpm"
      FROM (
        SELECT
          "t3"."platform",
          COUNT(*) AS "n"
        FROM (
          SELECT
            *
          FROM "events" AS "t0"
          WHERE
            "t0"."event_type" = 'impression'
            AND (
              (
                "t0"."cost" IS NULL
              ) OR (
                "t0"."cost" = 0
              )
            )
        ) AS "t3"
        GROUP BY
          1
      ) AS "t7"
      LEFT OUTER JOIN (
        SELECT
          "t2"."platform",
          (
            SUM("t2"."cost") * 1000.0
          ) / COUNT(*) AS "paid_cpm"
        FROM (
          SELECT
            *
          FROM "events" AS "t0"
          WHERE
            "t0"."event_type" = 'impression' AND "t0"."cost" > 0
        ) AS "t2"
        GROUP BY
          1
      ) AS "t11"
        ON "t7"."platform" IS NOT DISTINCT FROM "t11"."platform"
    ) AS "t13"
  ) AS "t16"
) AS "t18"
