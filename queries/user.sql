/* @name GetUserById */
SELECT id, email, created_at FROM "user" WHERE id = :id!;

/* @name GetUserByEmail */
SELECT id, email, created_at FROM "user" WHERE email = :email!;

/* @name InsertUser */
INSERT INTO "user" (email) VALUES (:email!) RETURNING id, email, created_at;
