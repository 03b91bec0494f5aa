/* @name GetMyModelById */
SELECT id, model_prop, user_id FROM my_model WHERE id = :id!;

/* @name ListMyModelsByUser */
SELECT id, model_prop, user_id FROM my_model WHERE user_id = :userId! ORDER BY id;

/* @name InsertMyModel */
INSERT INTO my_model (model_prop, user_id) VALUES (:modelProp, :userId!) RETURNING id, model_prop, user_id;

/*
  @name UpdateModelPropForIds
  @param ids -> (...)
*/
UPDATE my_model SET model_prop = :modelProp WHERE id IN :ids!;

/* @name PopulateModelPropInRange */
UPDATE my_model SET model_prop = id::text
WHERE id BETWEEN :fromId! AND :toId! AND model_prop IS NULL;
