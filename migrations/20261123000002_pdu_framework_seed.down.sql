-- Removing the seeded framework and regions removes what depends on them.
delete from inspection where framework_version_id = 1;
delete from pdu;
delete from outcome_question where framework_version_id = 1;
delete from prompt where framework_version_id = 1;
delete from key_question where framework_version_id = 1;
delete from standard where framework_version_id = 1;
delete from framework_version where id = 1;
delete from region;
