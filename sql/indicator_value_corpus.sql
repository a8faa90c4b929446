-- indicator_value_corpus: real-shaped strings, valid and invalid.
--
-- Every target and actual of the seed form (demo/seed/longhua-2022.txt)
-- and every row of docs/indicator-values.md, each with what it reads as.
-- valid says what the docs require: the first query lists the strings where
-- the reader disagrees, and must return nothing.
\set VERBOSITY default
\set SHOW_CONTEXT never
SET search_path = public, pjeval;

CREATE TABLE iv_corpus (
    id int PRIMARY KEY,
    grp text NOT NULL,
    src text NOT NULL UNIQUE,
    valid bool NOT NULL
);
INSERT INTO iv_corpus VALUES
(1, 'seed-1', '17', true),
(2, 'seed-1', '27', true),
(3, 'seed-1', '至少2次/周', true),
(4, 'seed-1', '200000', true),
(5, 'seed-1', '424876', true),
(6, 'seed-1', '4', true),
(7, 'seed-1', '≥90%', true),
(8, 'seed-1', '92%', true),
(9, 'seed-1', '95%', true),
(10, 'seed-1', '1', true),
(11, 'seed-1', '<1821100元', true),
(12, 'seed-1', '1808698.26元', true),
(13, 'seed-1', '不适用', true),
(14, 'seed-1', '重点解决', true),
(15, 'seed-1', '100%', true),
(16, 'seed-1', '1663900.00', true),
(17, 'seed-1', '1821100.00', true),
(18, 'seed-1', '99.32', true),
(19, 'seed-1', '9.93', true),
(20, 'seed-1', '0.00', true),
(21, 'seed-1', '10', true),
(22, 'seed-1', '21417通', true),
(23, 'seed-1', '424876件', true),
(24, 'seed-2', '3180', true),
(25, 'seed-2', '97%以上', true),
(26, 'seed-2', '97.11%', true),
(27, 'seed-2', '99.94%', true),
(28, 'seed-2', '低于3%', true),
(29, 'seed-2', '2.95%', true),
(30, 'seed-2', '≤461.74万元', true),
(31, 'seed-2', '461.736万元', true),
(32, 'seed-2', '采集率达95%以上，准确率达90%以上，注销率达95%以上；', true),
(33, 'seed-2', '采集率96.22%，准确率达99.31%，注销率95.35%', true),
(34, 'seed-2', '采集率达95%以上，准确率达98%以上；', true),
(35, 'seed-2', '采集率99.74%，准确率达99.49%', true),
(36, 'seed-2', '信息通报率达95%以上', true),
(37, 'seed-2', '99.55%', true),
(38, 'seed-2', '95%以上', true),
(39, 'seed-2', '4617400.00', true),
(40, 'seed-2', '4617360.00', true),
(41, 'seed-2', '实有人口信息采集率达97%以上，信息准确率达97%以上，未注销率低于3%', true),
(42, 'seed-2', '信息采集率达97.11%，信息准确率达99.94%，未注销率2.95%', true),
(43, 'seed-2', '采集率达96.22%，准确率达99.31%，注销率达95.35%', true),
(44, 'seed-2', '采集率达99%以上，准确率达98%以上', true),
(45, 'seed-2', '信息通报率达99%以上', true),
(46, 'seed-2', '信息通报率达99.55%。', true),
(47, 'ge-prefix', '≥95%', true),
(48, 'ge-prefix', '>=95%', true),
(49, 'ge-prefix', '＞＝95%', true),
(50, 'ge-prefix', '≧95%', true),
(51, 'ge-prefix', '不低于95%', true),
(52, 'ge-prefix', '不少于10个', true),
(53, 'ge-prefix', '不小于90%', true),
(54, 'ge-prefix', '大于等于90%', true),
(55, 'ge-prefix', '至少3次', true),
(56, 'ge-prefix', '最少5人', true),
(57, 'ge-prefix', '达到98%', true),
(58, 'ge-prefix', '达95%', true),
(59, 'ge-prefix', '≥ 95%', true),
(60, 'ge-prefix', '大于或等于90%', true),
(61, 'ge-prefix', '最低80%', true),
(62, 'ge-suffix', '90%以上', true),
(63, 'ge-suffix', '95%及以上', true),
(64, 'ge-suffix', '95%或以上', true),
(65, 'ge-suffix', '10个以上', true),
(66, 'ge-suffix', '3次及以上', true),
(67, 'ge-suffix', '≥90%以上', true),
(68, 'ge-suffix', '达到90%以上', true),
(69, 'gt', '>90%', true),
(70, 'gt', '＞90%', true),
(71, 'gt', '大于80%', true),
(72, 'gt', '高于85%', true),
(73, 'gt', '超过100人', true),
(74, 'gt', '多于3个', true),
(75, 'le-prefix', '≤5%', true),
(76, 'le-prefix', '<=5%', true),
(77, 'le-prefix', '＜＝5%', true),
(78, 'le-prefix', '≦5%', true),
(79, 'le-prefix', '不高于3%', true),
(80, 'le-prefix', '不超过100万元', true),
(81, 'le-prefix', '不多于2次', true),
(82, 'le-prefix', '不大于1%', true),
(83, 'le-prefix', '小于等于10天', true),
(84, 'le-prefix', '至多3次', true),
(85, 'le-prefix', '最多2天', true),
(86, 'le-prefix', '控制在500万元', true),
(87, 'le-suffix', '5%以下', true),
(88, 'le-suffix', '5%及以下', true),
(89, 'le-suffix', '30天以内', true),
(90, 'le-suffix', '15日之内', true),
(91, 'le-suffix', '3个工作日内', true),
(92, 'le-suffix', '控制在500万元以内', true),
(93, 'le-suffix', '1%以内', true),
(94, 'le-suffix', '达到0.5%以下', true),
(95, 'lt', '<5%', true),
(96, 'lt', '＜5%', true),
(97, 'lt', '小于3%', true),
(98, 'lt', '低于5%', true),
(99, 'lt', '少于2次', true),
(100, 'lt', '不满1年', true),
(101, 'eq', '=100%', true),
(102, 'eq', '＝100%', true),
(103, 'eq', '等于100%', true),
(104, 'eq', '100', true),
(105, 'approx', '约500万元', true),
(106, 'approx', '500万元左右', true),
(107, 'approx', '约95%', true),
(108, 'range', '90-95%', true),
(109, 'range', '90%-95%', true),
(110, 'range', '90~95%', true),
(111, 'range', '90～95%', true),
(112, 'range', '90—95%', true),
(113, 'range', '90至95%', true),
(114, 'range', '90到95%', true),
(115, 'range', '10-20万元', true),
(116, 'range', '10万元-20万元', true),
(117, 'range', '3-5个工作日', true),
(118, 'range', '1-12月', true),
(119, 'range', '0.5-1.5‰', true),
(120, 'number', '９５％', true),
(121, 'number', '１００％', true),
(122, 'number', '1,821,100元', true),
(123, 'number', '1,808,698.26元', true),
(124, 'number', '461.74万元', true),
(125, 'number', '3.5亿元', true),
(126, 'number', '2万人次', true),
(127, 'number', '0.5‰', true),
(128, 'number', '12千元', true),
(129, 'number', '1.50万元', true),
(130, 'number', '0.95', true),
(131, 'number', '3,180套', true),
(132, 'number', '１２３４５６', true),
(133, 'number', '461.740万元', true),
(134, 'number', '-5%', true),
(135, 'number', '3百人', true),
(136, 'ratio', '95％', true),
(137, 'ratio', '95百分比', true),
(138, 'ratio', '≥100百分比', true),
(139, 'ratio', '5‰', true),
(140, 'ratio', '99.9%', true),
(141, 'money', '1000元', true),
(142, 'money', '15万元', true),
(143, 'money', '2.5亿元', true),
(144, 'money', '≤90万元', true),
(145, 'money', '0.5万元', true),
(146, 'duration', '30秒', true),
(147, 'duration', '15分钟', true),
(148, 'duration', '2小时', true),
(149, 'duration', '3天', true),
(150, 'duration', '5日', true),
(151, 'duration', '2周', true),
(152, 'duration', '6个月', true),
(153, 'duration', '1年', true),
(154, 'duration', '5个工作日', true),
(155, 'duration', '24小时内', true),
(156, 'duration', '1个季度', true),
(157, 'duration', '半年', true),
(158, 'frequency', '2次/周', true),
(159, 'frequency', '1次/月', true),
(160, 'frequency', '4次/年', true),
(161, 'frequency', '1次/季度', true),
(162, 'frequency', '2场/月', true),
(163, 'frequency', '至少1次/月', true),
(164, 'frequency', '≥12次/年', true),
(165, 'count', '50个', true),
(166, 'count', '12件', true),
(167, 'count', '30人', true),
(168, 'count', '5次', true),
(169, 'count', '10名', true),
(170, 'count', '200户', true),
(171, 'count', '3家', true),
(172, 'count', '10套', true),
(173, 'count', '5台', true),
(174, 'count', '8项', true),
(175, 'count', '100份', true),
(176, 'count', '2批', true),
(177, 'count', '6场', true),
(178, 'count', '4期', true),
(179, 'count', '1所', true),
(180, 'count', '2座', true),
(181, 'count', '3处', true),
(182, 'count', '10篇', true),
(183, 'count', '500本', true),
(184, 'count', '20条', true),
(185, 'count', '15辆', true),
(186, 'count', '3起', true),
(187, 'count', '1宗', true),
(188, 'count', '200张', true),
(189, 'count', '40间', true),
(190, 'count', '5栋', true),
(191, 'count', '1000棵', true),
(192, 'count', '300株', true),
(193, 'count', '≥50个', true),
(194, 'count', '5000人次', true),
(195, 'measure', '5公里', true),
(196, 'measure', '3千米', true),
(197, 'measure', '800米', true),
(198, 'measure', '1200平方米', true),
(199, 'measure', '50亩', true),
(200, 'measure', '2公顷', true),
(201, 'measure', '10吨', true),
(202, 'measure', '500立方米', true),
(203, 'date', '2022年12月31日前', true),
(204, 'date', '2022年12月底前', true),
(205, 'date', '2022-12-31', true),
(206, 'date', '2022年6月30日之前', true),
(207, 'date', '2022年12月以前', true),
(208, 'date', '2023年1月1日后', true),
(209, 'date', '2022年10月以后', true),
(210, 'date', '11月前', true),
(211, 'date', '10月', true),
(212, 'date', '2021年12月完成', true),
(213, 'date', '2022年12月底', true),
(214, 'date', '2022年底前', true),
(215, 'date', '2022/12/31', true),
(216, 'date', '12月31日前', true),
(217, 'date', '2024年2月29日', true),
(218, 'labelled', '采集率95%，准确率90%', true),
(219, 'labelled', '采集率95%,准确率90%', true),
(220, 'labelled', '采集率95%；准确率90%', true),
(221, 'labelled', '采集率95%;准确率90%', true),
(222, 'labelled', '采集率95%、准确率90%', true),
(223, 'labelled', '覆盖率≥90%，满意度≥95%', true),
(224, 'labelled', '完成率100%；及时率98%', true),
(225, 'labelled', '培训2次/年，参训人数不少于50人', true),
(226, 'labelled', '达标率95%以上', true),
(227, 'qualitative', '有效提升', true),
(228, 'qualitative', '明显改善', true),
(229, 'qualitative', '按时完成', true),
(230, 'qualitative', '合格', true),
(231, 'qualitative', '优良中低差', true),
(232, 'qualitative', '优', true),
(233, 'qualitative', '良好', true),
(234, 'qualitative', '逐步提高', true),
(235, 'invalid', '≥', false),
(236, 'invalid', '约', false),
(237, 'claim', '达成预期指标', true),
(238, 'claim', '已完成', true),
(239, 'claim', '已完成100%', true),
(240, 'claim', '完成', true),
(241, 'claim', '达标', true),
(242, 'claim', '是', true),
(243, 'not-applicable', ' 不适用 ', true),
(244, 'not-applicable', '不适用。', true),
(245, 'placeholder', '-', true),
(246, 'placeholder', '—', true),
(247, 'placeholder', '/', true),
(248, 'placeholder', '一', true),
(249, 'placeholder', '', true),
(250, 'placeholder', '——', true),
(251, 'placeholder', '  ', true),
(252, 'decoration', '95%(百分比)', true),
(253, 'decoration', '10 台套', true),
(254, 'decoration', '200元/人', true),
(255, 'decoration', '50元/户', true),
(256, 'decoration', '3元/辆', true),
(257, 'decoration', '1500元/人*月', true),
(258, 'decoration', '80元/人次', true),
(259, 'punctuation', '15万元。', true),
(260, 'punctuation', '>= 75 %', true),
(261, 'punctuation', '95%；', true),
(262, 'punctuation', '95% ', true),
(263, 'punctuation', ' 95%', true),
(264, 'punctuation', '95%.', true),
(265, 'punctuation', '≥90%。', true),
(266, 'bare', '0', true),
(267, 'bare', '0.5', true),
(268, 'bare', '50', true),
(269, 'bare', '90', true),
(270, 'ocr', '290%', true),
(271, 'ocr', 'IO', true),
(272, 'invalid', '95x%', false),
(273, 'invalid', '95%%', false),
(274, 'invalid', '9..5%', false),
(275, 'invalid', '1e5', false),
(276, 'invalid', '3.5.1', false),
(277, 'invalid', '12abc元', false),
(278, 'invalid', '90%95%', false),
(279, 'invalid', '95% 90%', false),
(280, 'invalid', '≥90%以下', false),
(281, 'invalid', '超过90%以上', false),
(282, 'invalid', '5-3', false),
(283, 'invalid', '90%-95万元', false),
(284, 'invalid', '2022年13月', false),
(285, 'invalid', '2022-02-30', false),
(286, 'invalid', '2022年2月29日', false),
(287, 'invalid', '12月32日前', false),
(288, 'invalid', '99999999999999999999', false),
(289, 'invalid', '1234567890123456789元', false),
(290, 'invalid', '0.0000000000000000001', false),
(291, 'invalid', '1/2', false),
(292, 'invalid', '0x10', false),
(293, 'invalid', '5-', false),
(294, 'invalid', '90%~', false),
(295, 'invalid', '采集率达95%以上，准确率', false),
(296, 'invalid', '100%%', false),
(297, 'invalid', '９５ｘ％', false),
(298, 'invalid', '1.2.3', false),
(299, 'invalid', '2022-13-01', false),
(300, 'invalid', '95%以上以上', false);

SELECT count(*) AS strings,
       count(*) FILTER (WHERE valid) AS valid,
       count(*) FILTER (WHERE NOT valid) AS invalid
FROM iv_corpus;

-- Strings that read when the docs say they must not, or fail when they must
-- read: none.
SELECT id, grp, src, valid, indicator_value_error(src) AS error
FROM iv_corpus
WHERE valid <> (try_indicator_value(src) IS NOT NULL)
ORDER BY id;

CREATE TABLE iv_read AS
SELECT c.id, c.grp, c.src, try_indicator_value(c.src) AS v
FROM iv_corpus c
WHERE c.valid;

-- What each valid string reads as.  The scalar accessors answer for one
-- clause only; values of several clauses are listed clause by clause below.
SELECT id, grp, src, v AS canonical, kind(v) AS kind, comparison(v) AS cmp,
       number(v) AS number, base_value(v) AS base_value, unit(v) AS unit,
       base_unit(v) AS base_unit, dimension(v) AS dim, clause_count(v) AS n
FROM iv_read
ORDER BY id;

-- Clause by clause: labelled values, ranges and dates.
SELECT r.id, r.src, k.*
FROM iv_read r, LATERAL clauses(r.v) k
WHERE clause_count(r.v) > 1 OR label(r.v) IS NOT NULL
   OR comparison(r.v) = 'range' OR dimension(r.v) = 'date'
ORDER BY r.id, k."position";

-- Kinds and flags of everything that is not a quantity.
SELECT id, src, v AS canonical, kind(v) AS kind, is_qualitative(v) AS qualitative,
       is_claim(v) AS claim, is_not_applicable(v) AS not_applicable,
       is_empty(v) AS empty, clause_count(v) AS n
FROM iv_read
WHERE kind(v) <> 'quantity'
ORDER BY id;

-- Reading the canonical text again gives the same value and the same text,
-- for every valid string: no failures ...
SELECT id, src, v AS canonical
FROM iv_read
WHERE v::text::indicator_value <> v
   OR v::text::indicator_value::text <> v::text
   OR try_indicator_value(v::text) IS DISTINCT FROM v;
-- ... out of this many values.
SELECT count(*) AS round_trips
FROM iv_read
WHERE v::text::indicator_value = v;

-- The strict and the non-throwing readers agree on every string.
SELECT id, src
FROM iv_corpus
WHERE (try_indicator_value(src) IS NULL) <> (indicator_value_error(src) IS NOT NULL);

-- Why each invalid string does not read.
SELECT id, src, indicator_value_error(src) AS error
FROM iv_corpus
WHERE NOT valid
ORDER BY id;

-- The same through the type input: message, detail, hint and SQLSTATE.
SELECT '95x%'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '≥90%以下'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '采集率达95%以上，准确率'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '2022年13月'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '90%-95万元'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '99999999999999999999'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
SELECT '1234567890123456789元'::indicator_value;
\echo :LAST_ERROR_SQLSTATE
-- in a statement that names no literal position
SELECT src::indicator_value FROM iv_corpus WHERE src = '12abc元';
\echo :LAST_ERROR_SQLSTATE

DROP TABLE iv_read;
DROP TABLE iv_corpus;
