DROP TRIGGER profiles_directory_grams_delete ON membership.profiles;
DROP TRIGGER profiles_directory_grams_update ON membership.profiles;
DROP TRIGGER profiles_directory_grams_insert ON membership.profiles;
DROP FUNCTION membership.directory_grams_after_delete();
DROP FUNCTION membership.directory_grams_after_update();
DROP FUNCTION membership.directory_grams_after_insert();
DROP TABLE membership.directory_gram_counts;
DROP TABLE membership.directory_grams;
