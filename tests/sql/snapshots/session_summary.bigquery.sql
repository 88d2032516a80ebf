SELECT
  `t1`.`session_id`,
  `t1`.`user_id`,
  `t1`.`start`,
  `t1`.`end`,
  `t1`.`n_events`,
  `t1`.`impressions`,
  `t1`.`clicks`,
  `t1`.`_touch` > 0 AS `brand_present`,
  `t1`.`clicks` > 0 AS `clicked`,
  `t1`.`_eng` > 0 AS `engaged`,
  `t1`.`_conv` > 0 AS `converted`,
  `t1`.`revenue`,
  `t1`.`cost`
FROM (
  SELECT
    `t0`.`session_id`,
    MIN(`t0`.`user_id`) AS `user_id`,
    MIN(`t0`.`ts`) AS `start`,
    MAX(`t0`.`ts`) AS `end`,
    COUNT(*) AS `n_events`,
    SUM(IF(`t0`.`event_type` = 'impression', 1, 0)) AS `impressions`,
    SUM(IF(`t0`.`event_type` = 'click', 1, 0)) AS `clicks`,
    SUM(
      IF(
        `t0`.`event_type` IN (
          'add_to_cart',
          'begin_checkout',
          'click',
          'impression',
          'page_view',
          'purchase',
          'store_locator',
          'video_view',
          'view'
        ),
        1,
        0
      )
    ) AS `_touch`,
    SUM(
      IF(
        `t0`.`event_type` IN (
          'add_to_cart',
          'click',
          'comment',
          'follow',
          'like',
          'save',
          'share',
          'video_view'
        ),
        1,
        0
      )
    ) AS `_eng`,
    SUM(IF(`t0`.`event_type` = 'purchase', 1, 0)) AS `_conv`,
    COALESCE(SUM(`t0`.`revenue`), 0.0) AS `revenue`,
    COALESCE(SUM(`t0`.`cost`), 0.0) AS `cost`
  FROM `events` AS `t0`
  GROUP BY
    1
) AS `t1`
ORDER BY
  `t1`.`session_id` ASC NULLS LAST
