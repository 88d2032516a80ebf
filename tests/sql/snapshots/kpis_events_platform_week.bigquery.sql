SELECT
  `t20`.`platform`,
  `t20`.`period`,
  `t20`.`impressions`,
  `t20`.`reach`,
  `t20`.`clicks`,
  `t20`.`spend`,
  `t20`.`conversions`,
  `t20`.`revenue`,
  `t20`.`engagements`,
  `t20`.`organic_impressions`,
  `t20`.`frequency`,
  `t20`.`ctr`,
  `t20`.`cpm`,
  `t20`.`cpc`,
  `t20`.`cvr`,
  `t20`.`cpa`,
  `t20`.`roas`,
  `t20`.`roi`,
  `t20`.`engagement_rate`,
  `t20`.`cost_per_engagement`,
  `t20`.`emv`
FROM (
  SELECT
    `t18`.`platform`,
    `t18`.`period`,
    `t18`.`impressions`,
    `t18`.`clicks`,
    `t18`.`spend`,
    `t18`.`conversions`,
    `t18`.`revenue`,
    `t18`.`engagements`,
    `t18`.`organic_impressions`,
    `t18`.`reach`,
    `t18`.`frequency`,
    `t18`.`ctr`,
    `t18`.`cpm`,
    `t18`.`cpc`,
    `t18`.`cvr`,
    `t18`.`cpa`,
    `t18`.`roas`,
    `t18`.`roi`,
    `t18`.`engagement_rate`,
    `t18`.`cost_per_engagement`,
    `t19`.`emv`
  FROM (
    SELECT
      `t14`.`platform`,
      `t14`.`period`,
      `t14`.`impressions`,
      `t14`.`clicks`,
      `t14`.`spend`,
      `t14`.`conversions`,
      `t14`.`revenue`,
      `t14`.`engagements`,
      `t14`.`organic_impressions`,
      COALESCE(`t14`.`reach`, 0) AS `reach`,
      ieee_divide(
        CAST(`t14`.`impressions` AS FLOAT64) * 1.0,
        NULLIF(CAST(COALESCE(`t14`.`reach`, 0) AS FLOAT64), 0.0)
      ) AS `frequency`,
      ieee_divide(
        CAST(`t14`.`clicks` AS FLOAT64) * 1.0,
        NULLIF(CAST(`t14`.`impressions` AS FLOAT64), 0.0)
      ) AS `ctr`,
      ieee_divide(`t14`.`spend` * 1000.0, NULLIF(CAST(`t14`.`impressions` AS FLOAT64), 0.0)) AS `cpm`,
      ieee_divide(`t14`.`spend` * 1.0, NULLIF(CAST(`t14`.`clicks` AS FLOAT64), 0.0)) AS `cpc`,
      ieee_divide(
        CAST(`t14`.`conversions` AS FLOAT64) * 1.0,
        NULLIF(CAST(`t14`.`clicks` AS FLOAT64), 0.0)
      ) AS `cvr`,
      ieee_divide(`t14`.`spend` * 1.0, NULLIF(CAST(`t14`.`conversions` AS FLOAT64), 0.0)) AS `cpa`,
      ieee_divide(`t14`.`revenue` * 1.0, NULLIF(`t14`.`spend`, 0.0)) AS `roas`,
      ieee_divide((
        `t14`.`revenue` - `t14`.`spend`
      ) * 1.0, NULLIF(`t14`.`spend`, 0.0)) AS `roi`,
      ieee_divide(
        CAST(`t14`.`engagements` AS FLOAT64) * 1.0,
        NULLIF(CAST(`t14`.`impressions` AS FLOAT64), 0.0)
      ) AS `engagement_rate`,
      ieee_divide(`t14`.`spend` * 1.0, NULLIF(CAST(`t14`.`engagements` AS FLOAT64), 0.0)) AS `cost_per_engagement`
    FROM (
      SELECT
        `t12`.`platform`,
        `t12`.`period`,
        `t12`.`impressions`,
        `t12`.`clicks`,
        `t12`.`spend`,
        `t12`.`conversions`,
        `t12`.`revenue`,
        `t12`.`engagements`,
        `t12`.`organic_impressions`,
        `t8`.`reach`
      FROM (
        SELECT
          `t1`.`platform`,
          `t1`.`period`,
          SUM(IF(`t1`.`event_type` = 'impression', 1, 0)) AS `impressions`,
          SUM(IF(`t1`.`event_type` = 'click', 1, 0)) AS `clicks`,
          COALESCE(SUM(`t1`.`cost`), 0.0) AS `spend`,
          SUM(IF(`t1`.`event_type` = 'purchase', 1, 0)) AS `conversions`,
          COALESCE(SUM(IF(`t1`.`event_type` = 'purchase', `t1`.`revenue`, NULL)), 0.0) AS `revenue`,
          SUM(IF(`t1`.`event_type` IN ('like', 'comment', 'share', 'save', 'follow'), 1, 0)) AS `engagements`,
          SUM(
            IF(
              (
                `t1`.`event_type` = 'impression'
              )
              AND (
                (
                  `t1`.`cost` IS NULL
                ) OR (
                  `t1`.`cost` = 0
                )
              ),
              1,
              0
            )
          ) AS `organic_impressions`
        FROM (
          SELECT
            `t0`.`event_id`,
            `t0`.`ts`,
            `t0`.`user_id`,
            `t0`.`session_id`,
            `t0`.`event_type`,
            `t0`.`strategy`,
            `t0`.`targeting`,
            `t0`.`platform`,
            `t0`.`campaign_id`,
            `t0`.`ad_id`,
            `t0`.`post_id`,
            `t0`.`creator_id`,
            `t0`.`segment_id`,
            `t0`.`device`,
            `t0`.`region`,
            `t0`.`query`,
            `t0`.`moment`,
            `t0`.`cost`,
            `t0`.`revenue`,
            CAST(TIMESTAMP_TRUNC(`t0`.`ts`, WEEK(MONDAY)) AS DATE) AS `period`
          FROM `events` AS `t0`
        ) AS `t1`
        GROUP BY
          1,
          2
      ) AS `t12`
      LEFT OUTER JOIN (
        SELECT
          `t2`.`platform`,
          `t2`.`period`,
          COUNT(DISTINCT `t2`.`user_id`) AS `reach`
        FROM (
          SELECT
            `t0`.`event_id`,
            `t0`.`ts`,
            `t0`.`user_id`,
            `t0`.`session_id`,
            `t0`.`event_type`,
            `t0`.`strategy`,
            `t0`.`targeting`,
            `t0`.`platform`,
            `t0`.`campaign_id`,
            `t0`.`ad_id`,
            `t0`.`post_id`,
            `t0`.`creator_id`,
            `t0`.`segment_id`,
            `t0`.`device`,
            `t0`.`region`,
            `t0`.`query`,
            `t0`.`moment`,
            `t0`.`cost`,
            `t0`.`revenue`,
            CAST(TIMESTAMP_TRUNC(`t0`.`ts`, WEEK(MONDAY)) AS DATE) AS `period`
          FROM `events` AS `t0`
          WHERE
            `t0`.`event_type` = 'impression'
        ) AS `t2`
        GROUP BY
          1,
          2
      ) AS `t8`
        ON `t12`.`platform` IS NOT DISTINCT FROM `t8`.`platform`
        AND `t12`.`period` IS NOT DISTINCT FROM `t8`.`period`
    ) AS `t14`
  ) AS `t18`
  LEFT OUTER JOIN (
    SELECT
      `t15`.`platform`,
      `t15`.`period`,
      SUM(`t15`.`v`) AS `emv`
    FROM (
      SELECT
        `t13`.`platform`,
        `t13`.`period`,
        `t13`.`n`,
        `t13`.`platform_right`,
        `t13`.`paid_cpm`,
        ieee_divide(CAST(`t13`.`n` AS FLOAT64) * `t13`.`paid_cpm`, 1000.0) AS `v`
      FROM (
        SELECT
          `t7`.`platform`,
          `t7`.`period`,
          `t7`.`n`,
          `t10`.`platform` AS `platform_right`,
          `t10`.`paid_cpm`
        FROM (
          SELECT
            `t4`.`platform`,
            `t4`.`period`,
            COUNT(*) AS `n`
          FROM (
            SELECT
              `t0`.`event_id`,
              `t0`.`ts`,
              `t0`.`user_id`,
              `t0`.`session_id`,
              `t0`.`event_type`,
              `t0`.`strategy`,
              `t0`.`targeting`,
              `t0`.`platform`,
              `t0`.`campaign_id`,
              `t0`.`ad_id`,
              `t0`.`post_id`,
              `t0`.`creator_id`,
              `t0`.`segment_id`,
              `t0`.`device`,
              `t0`.`region`,
              `t0`.`query`,
              `t0`.`moment`,
              `t0`.`cost`,
              `t0`.`revenue`,
              CAST(TIMESTAMP_TRUNC(`t0`.`ts`, WEEK(MONDAY)) AS DATE) AS `period`
            FROM `events` AS `t0`
            WHERE
              `t0`.`event_type` = 'impression'
              AND (
                (
                  `t0`.`cost` IS NULL
                ) OR (
                  `t0`.`cost` = 0
                )
              )
          ) AS `t4`
          GROUP BY
            1,
            2
        ) AS `t7`
        LEFT OUTER JOIN (
          SELECT
            `t3`.`platform`,
            ieee_divide(SUM(`t3`.`cost`) * 1000.0, COUNT(*)) AS `paid_cpm`
          FROM (
            SELECT
              `t0`.`event_id`,
              `t0`.`ts`,
              `t0`.`user_id`,
              `t0`.`session_id`,
              `t0`.`event_type`,
              `t0`.`strategy`,
              `t0`.`targeting`,
              `t0`.`platform`,
              `t0`.`campaign_id`,
              `t0`.`ad_id`,
              `t0`.`post_id`,
              `t0`.`creator_id`,
              `t0`.`segment_id`,
              `t0`.`device`,
              `t0`.`region`,
              `t0`.`query`,
              `t0`.`moment`,
              `t0`.`cost`,
              `t0`.`revenue`,
              CAST(TIMESTAMP_TRUNC(`t0`.`ts`, WEEK(MONDAY)) AS DATE) AS `period`
            FROM `events` AS `t0`
            WHERE
              `t0`.`event_type` = 'impression' AND `t0`.`cost` > 0
          ) AS `t3`
          GROUP BY
            1
        ) AS `t10`
          ON `t7`.`platform` IS NOT DISTINCT FROM `t10`.`platform`
      ) AS `t13`
    ) AS `t15`
    GROUP BY
      1,
      2
  ) AS `t19`
    ON `t18`.`platform` IS NOT DISTINCT FROM `t19`.`platform`
    AND `t18`.`period` IS NOT DISTINCT FROM `t19`.`period`
) AS `t20`
ORDER BY
  `t20`.`platform` ASC NULLS LAST,
  `t20`.`period` ASC NULLS LAST
