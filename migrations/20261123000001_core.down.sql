drop table domain_one_rating, outcome_answer, prompt_answer, key_question_judgement, sample_case,
    inspection, outcome_question, prompt, key_question, standard, framework_version, pdu, region;
drop function framework_in_use();
drop function region_key(text);
drop function set_updated_at();
