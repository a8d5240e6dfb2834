alter table app_user drop column demo;
