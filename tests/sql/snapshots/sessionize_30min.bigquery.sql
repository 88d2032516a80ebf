SELECT
  `t3`.*
  EXCEPT (`_mm_new`)
FROM (
  SELECT
    `t2`.`event_id`,
    `t2`.`ts`,
    `t2`.`user_id`,
    `t2`.`session_id`,
    `t2`.`event_type`,
    `t2`.`strategy`,
    `t2`.`targeting`,
    `t2`.`platform`,
    `t2`.`campaign_id`,
    `t2`.`ad_id`,
    `t2`.`post_id`,
    `t2`.`creator_id`,
    `t2`.`segment_id`,
    `t2`.`device`,
    `t2`.`region`,
    `t2`.`query`,
    `t2`.`moment`,
    `t2`.`cost`,
    `t2`.`revenue`,
    `t2`.`_mm_new`,
    `t2`.`session_seq`,
    CONCAT(`t2`.`user_id`, '#', CAST(`t2`.`session_seq` AS STRING)) AS `session_key`
  FROM (
    SELECT
      `t1`.`event_id`,
      `t1`.`ts`,
      `t1`.`user_id`,
      `t1`.`session_id`,
      `t1`.`event_type`,
      `t1`.`strategy`,
      `t1`.`targeting`,
      `t1`.`platform`,
      `t1`.`campaign_id`,
      `t1`.`ad_id`,
      `t1`.`post_id`,
      `t1`.`creator_id`,
      `t1`.`segment_id`,
      `t1`.`device`,
      `t1`.`region`,
      `t1`.`query`,
      `t1`.`moment`,
      `t1`.`cost`,
      `t1`.`revenue`,
      `t1`.`_mm_new`,
      SUM(`t1`.`_mm_new`) OVER (
        PARTITION BY `t1`.`user_id`
        ORDER BY `t1`.`ts` ASC, `t1`.`event_id` ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS `session_seq`
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
        IF(
          (
            LAG(`t0`.`ts`) OVER (PARTITION BY `t0`.`user_id` ORDER BY `t0`.`ts` ASC, `t0`.`event_id` ASC) IS NULL
          )
          OR (
            `t0`.`ts` > TIMESTAMP_ADD(
              LAG(`t0`.`ts`) OVER (PARTITION BY `t0`.`user_id` ORDER BY `t0`.`ts` ASC, `t0`.`event_id` ASC),
              INTERVAL '1800' SECOND
            )
          ),
          1,
          0
        ) AS `_mm_new`
      FROM `events` AS `t0`
    ) AS `t1`
  ) AS `t2`
) AS `t3`
