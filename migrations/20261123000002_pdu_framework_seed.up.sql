-- The PDU inspection framework of the programme that began in 2023, as data.
-- Source: shared/domain/inspection-rules.md (standards, key questions, bands)
-- and shared/domain/prompts.md (prompts, outcomes). A revised framework is a
-- new framework_version with its own rows; never edit these in place.

insert into region (id, name) values
    (1, 'Wales'),
    (2, 'North West'),
    (3, 'Greater Manchester'),
    (4, 'North East'),
    (5, 'Yorkshire and the Humber'),
    (6, 'West Midlands'),
    (7, 'East Midlands'),
    (8, 'East of England'),
    (9, 'London'),
    (10, 'South West'),
    (11, 'South Central'),
    (12, 'Kent Surrey and Sussex');

insert into framework_version (id, code, name,
    kq_requires_improvement_min, kq_good_min, kq_outstanding_min,
    overall_requires_improvement_min, overall_good_min, overall_outstanding_min)
values (1, 'pdu-2023', 'PDU inspection standards (2023)', 50, 65, 80, 4, 11, 18);

insert into standard (id, framework_version_id, code, domain, name, statement, position) values
    (1, 1, '1.1', 1, 'Leadership', 'The leadership of the PDU enables delivery of a high-quality, personalised and responsive service for all people on probation.', 1),
    (2, 1, '1.2', 1, 'Staffing', 'Staff are enabled to deliver a high-quality, personalised and responsive service for all people on probation.', 2),
    (3, 1, '1.3', 1, 'Services', 'A comprehensive range of high-quality services is in place, supporting a tailored and responsive service for all people on probation.', 3),
    (4, 1, '2.1', 2, 'Assessment', 'Assessment is well-informed, analytical and personalised, involving actively the person on probation.', 4),
    (5, 1, '2.2', 2, 'Planning', 'Planning is well-informed, holistic and personalised, involving actively the person on probation.', 5),
    (6, 1, '2.3', 2, 'Implementation and delivery', 'High-quality, well-focused, personalised and coordinated services are delivered, engaging the person on probation.', 6),
    (7, 1, '2.4', 2, 'Reviewing', 'Reviewing of progress is well-informed, analytical and personalised, involving actively the person on probation.', 7);

insert into key_question (id, standard_id, framework_version_id, code, area, text, position) values
    (1, 4, 1, '2.1.1', 'engagement', 'Does assessment focus sufficiently on engaging the person on probation?', 1),
    (2, 4, 1, '2.1.2', 'desistance', 'Does assessment focus sufficiently on the factors linked to offending and desistance?', 2),
    (3, 4, 1, '2.1.3', 'safety', 'Does assessment focus sufficiently on keeping other people safe?', 3),
    (4, 5, 1, '2.2.1', 'engagement', 'Does planning focus sufficiently on engaging the person on probation?', 1),
    (5, 5, 1, '2.2.2', 'desistance', 'Does planning focus sufficiently on reducing reoffending and supporting desistance?', 2),
    (6, 5, 1, '2.2.3', 'safety', 'Does planning focus sufficiently on keeping other people safe?', 3),
    (7, 6, 1, '2.3.1', 'engagement', 'Is the sentence or post-custody period implemented effectively with a focus on engaging the person on probation?', 1),
    (8, 6, 1, '2.3.2', 'desistance', 'Does the implementation and delivery of services effectively support desistance?', 2),
    (9, 6, 1, '2.3.3', 'safety', 'Does the implementation and delivery of services effectively support the safety of other people?', 3),
    (10, 7, 1, '2.4.1', 'engagement', 'Does reviewing focus sufficiently on supporting the compliance and engagement of the person on probation?', 1),
    (11, 7, 1, '2.4.2', 'desistance', 'Does reviewing focus sufficiently on supporting desistance?', 2),
    (12, 7, 1, '2.4.3', 'safety', 'Does reviewing focus sufficiently on keeping other people safe?', 3);

insert into prompt (id, key_question_id, framework_version_id, code, text, position) values
    (1, 1, 1, '2.1.1.a', 'Does assessment analyse the motivation and readiness of the person on probation to engage and comply?', 1),
    (2, 1, 1, '2.1.1.b', 'Were diversity factors (protected characteristics) discussed with the person on probation?', 2),
    (3, 1, 1, '2.1.1.c', 'Does assessment analyse the impact of protected characteristics and personal circumstances on their ability to engage?', 3),
    (4, 1, 1, '2.1.1.d', 'Is the person on probation meaningfully involved in their assessment?', 4),
    (5, 2, 1, '2.1.2.a', 'Does assessment identify and analyse offending-related factors?', 1),
    (6, 2, 1, '2.1.2.b', 'Does assessment identify strengths and protective factors?', 2),
    (7, 2, 1, '2.1.2.c', 'Does assessment draw on available sources of information, including other agencies already working with the person?', 3),
    (8, 3, 1, '2.1.3.a', 'Does assessment clearly identify and analyse all relevant risk of harm factors?', 1),
    (9, 3, 1, '2.1.3.b', 'Was sufficient domestic abuse information obtained from the police?', 2),
    (10, 3, 1, '2.1.3.c', 'Was domestic abuse information used sufficiently in the assessment?', 3),
    (11, 3, 1, '2.1.3.d', 'Was sufficient child safeguarding information obtained from children''s services?', 4),
    (12, 3, 1, '2.1.3.e', 'Was child safeguarding information used sufficiently in the assessment?', 5),
    (13, 3, 1, '2.1.3.f', 'Is the risk of harm classification accurate?', 6),
    (14, 3, 1, '2.1.3.g', 'Was the assessment of risk of harm countersigned by a manager where required, and was that oversight sufficient?', 7),
    (15, 4, 1, '2.2.1.a', 'Is the person on probation meaningfully involved in planning?', 1),
    (16, 4, 1, '2.2.1.b', 'Does planning take account of readiness, motivation, diversity and personal circumstances?', 2),
    (17, 4, 1, '2.2.1.c', 'Is the level of contact set sufficient to engage the person and support interventions?', 3),
    (18, 5, 1, '2.2.2.a', 'Does planning set out the services most likely to reduce offending and support desistance?', 1),
    (19, 5, 1, '2.2.2.b', 'Does planning build on strengths and protective factors?', 2),
    (20, 5, 1, '2.2.2.c', 'Are interventions sequenced appropriately, including with other teams (unpaid work, accredited programmes, integrated offender management)?', 3),
    (21, 6, 1, '2.2.3.a', 'Does planning address risk of harm factors and prioritise those most critical?', 1),
    (22, 6, 1, '2.2.3.b', 'Does the risk management plan reference the work of other agencies involved with the person?', 2),
    (23, 6, 1, '2.2.3.c', 'Does planning include the constructive or restrictive interventions needed to manage risk of harm (licence conditions, requirements)?', 3),
    (24, 6, 1, '2.2.3.d', 'Is there an effective contingency plan (what happens if risk increases)?', 4),
    (25, 7, 1, '2.3.1.a', 'Did allocation and induction support a prompt and appropriate start to the sentence?', 1),
    (26, 7, 1, '2.3.1.b', 'Is sufficient focus given to maintaining an effective working relationship?', 2),
    (27, 7, 1, '2.3.1.c', 'Is contact sufficient, taking account of diversity needs and personal circumstances?', 3),
    (28, 7, 1, '2.3.1.d', 'Was enforcement action appropriate where needed?', 4),
    (29, 8, 1, '2.3.2.a', 'Are the delivered services those most likely to reduce offending and support desistance?', 1),
    (30, 8, 1, '2.3.2.b', 'Were interventions delivered where required (toolkits, structured interventions, rehabilitative activity)?', 2),
    (31, 8, 1, '2.3.2.c', 'Were local services engaged and used effectively, during the sentence and beyond?', 3),
    (32, 8, 1, '2.3.2.d', 'Were commissioned rehabilitative services used where they should have been?', 4),
    (33, 8, 1, '2.3.2.e', 'Was the involvement of other organisations sufficiently coordinated?', 5),
    (34, 8, 1, '2.3.2.f', 'Do delivered services build on strengths and protective factors?', 6),
    (35, 9, 1, '2.3.3.a', 'Was sufficient attention given to protecting actual and potential victims?', 1),
    (36, 9, 1, '2.3.3.b', 'Was there sufficient liaison with children''s services where relevant?', 2),
    (37, 9, 1, '2.3.3.c', 'Was there sufficient liaison with the police where relevant?', 3),
    (38, 9, 1, '2.3.3.d', 'Were home visits undertaken where needed to manage risk of harm?', 4),
    (39, 9, 1, '2.3.3.e', 'Were key individuals in the person''s life involved in managing risk of harm?', 5),
    (40, 9, 1, '2.3.3.f', 'Was the case screened for multi-agency public protection arrangements (MAPPA) where eligible, with coordinated multi-agency oversight?', 6),
    (41, 9, 1, '2.3.3.g', 'Was management oversight of the case sufficient?', 7),
    (42, 10, 1, '2.4.1.a', 'Does reviewing consider compliance and engagement, with barriers identified and necessary adjustments made?', 1),
    (43, 10, 1, '2.4.1.b', 'Is the person on probation meaningfully involved in reviewing their progress?', 2),
    (44, 10, 1, '2.4.1.c', 'Were formal reviews undertaken as often as needed?', 3),
    (45, 11, 1, '2.4.2.a', 'Does reviewing identify progress and changes in factors linked to offending?', 1),
    (46, 11, 1, '2.4.2.b', 'Is reviewing informed by the necessary input from other agencies working with the person?', 2),
    (47, 11, 1, '2.4.2.c', 'Were necessary adjustments made to the ongoing plan of work?', 3),
    (48, 12, 1, '2.4.3.a', 'Does reviewing identify and address changes in factors related to risk of harm, with necessary adjustments to the plan?', 1),
    (49, 12, 1, '2.4.3.b', 'Was information about reportable incidents followed up sufficiently?', 2),
    (50, 12, 1, '2.4.3.c', 'Were the person on probation and, where appropriate, key individuals in their life meaningfully involved in reviewing risk of harm?', 3),
    (51, 12, 1, '2.4.3.d', 'Was input from other agencies gathered to inform the review of risk of harm?', 4);

insert into outcome_question (id, framework_version_id, code, text, position) values
    (1, 1, 'compliance', 'Was there sufficient compliance with the sentence?', 1),
    (2, 1, 'new_offence', 'Was the person convicted of a new offence during the sentence?', 2),
    (3, 1, 'offending_factors_improved', 'Was there sufficient improvement in the factors most closely linked to offending?', 3),
    (4, 1, 'risk_factors_improved', 'Was there sufficient improvement in the factors linked to risk of harm?', 4);
