SELECT
  *
FROM (
  SELECT
    `t1`.`bucket_start`,
    `t1`.`key`,
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
      CAST(FLOOR(ieee_divide(UNIX_SECONDS(`t0`.`ts`), 3600)) AS INT64) * 3600 AS `bucket_start`,
      CONCAT(COALESCE(`t0`.`moment`, 'None'), ' | ', COALESCE(`t0`.`region`, 'None')) AS `key`
    FROM `events` AS `t0`
    WHERE
      `t0`.`ts` IS NOT NULL
  ) AS `t1`
  GROUP BY
    1,
    2
) AS `t2`
ORDER BY
  `t2`.`bucket_start` ASC NULLS LAST,
  `t2`.`key` ASC NULLS LAST
