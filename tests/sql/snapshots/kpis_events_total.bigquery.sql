SELECT
  `t4`.`platform`,
  `t4`.`strategy`,
  `t4`.`impressions`,
  `t4`.`clicks`,
  `t4`.`spend`,
  `t4`.`conversions`,
  `t4`.`revenue`,
  `t4`.`_revenue_missing`,
  `t4`.`engagements`,
  `t4`.`organic_impressions`,
  `t4`.`_paid_impressions`,
  `t4`.`_paid_cost`,
  `t5`.`reach`
FROM (
  SELECT
    `t0`.`platform`,
    `t0`.`strategy`,
    COUNTIF(`t0`.`event_type` = 'impression') AS `impressions`,
    COUNTIF(`t0`.`event_type` = 'click') AS `clicks`,
    SUM(`t0`.`cost`) AS `spend`,
    COUNTIF(`t0`.`event_type` = 'purchase') AS `conversions`,
    SUM(IF(`t0`.`event_type` = 'purchase', `t0`.`revenue`, NULL)) AS `revenue`,
    COUNTIF((
      `t0`.`event_type` = 'purchase'
    ) AND (
      `t0`.`revenue` IS NULL
    )) AS `_revenue_missing`,
    COUNTIF(`t0`.`event_type` IN ('like', 'comment', 'share', 'save', 'follow')) AS `engagements`,
    COUNTIF(
      (
        `t0`.`event_type` = 'impression'
      )
      AND (
        (
          `t0`.`cost` IS NULL
        ) OR (
          `t0`.`cost` = 0
        )
      )
    ) AS `organic_impressions`,
    COUNTIF((
      `t0`.`event_type` = 'impression'
    ) AND (
      `t0`.`cost` > 0
    )) AS `_paid_impressions`,
    SUM(
      IF((
        `t0`.`event_type` = 'impression'
      ) AND (
        `t0`.`cost` > 0
      ), `t0`.`cost`, NULL)
    ) AS `_paid_cost`
  FROM `events` AS `t0`
  GROUP BY
    1,
    2
) AS `t4`
CROSS JOIN (
  SELECT
    COUNT(DISTINCT `t1`.`user_id`) AS `reach`
  FROM (
    SELECT
      *
    FROM `events` AS `t0`
    WHERE
      `t0`.`event_type` = 'impression'
  ) AS `t1`
) AS `t5`
