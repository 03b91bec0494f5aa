/** Types generated for queries found in "queries/user.sql" */
import { PreparedQuery } from '@rbsql/runtime';

export type NumberOrString = number | string;

/** 'GetUserById' parameters type */
export interface IGetUserByIdParams {
  id: NumberOrString;
}

/** 'GetUserById' return type */
export interface IGetUserByIdResult {
  created_at: Date;
  email: string;
  id: string;
}

/** 'GetUserById' query type */
export interface IGetUserByIdQuery {
  params: IGetUserByIdParams;
  result: IGetUserByIdResult;
}

const getUserByIdIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":52,"b":55}]}],"statement":"SELECT id, email, created_at FROM \"user\" WHERE id = :id!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, email, created_at FROM "user" WHERE id = :id!
 * ```
 */
export const getUserById = new PreparedQuery<IGetUserByIdParams,IGetUserByIdResult>(getUserByIdIR);


/** 'GetUserByEmail' parameters type */
export interface IGetUserByEmailParams {
  email: string;
}

/** 'GetUserByEmail' return type */
export interface IGetUserByEmailResult {
  created_at: Date;
  email: string;
  id: string;
}

/** 'GetUserByEmail' query type */
export interface IGetUserByEmailQuery {
  params: IGetUserByEmailParams;
  result: IGetUserByEmailResult;
}

const getUserByEmailIR: any = {"usedParamSet":{"email":true},"params":[{"name":"email","required":true,"transform":{"type":"scalar"},"locs":[{"a":55,"b":61}]}],"statement":"SELECT id, email, created_at FROM \"user\" WHERE email = :email!"};

/**
 * Query generated from SQL:
 * ```
 * SELECT id, email, created_at FROM "user" WHERE email = :email!
 * ```
 */
export const getUserByEmail = new PreparedQuery<IGetUserByEmailParams,IGetUserByEmailResult>(getUserByEmailIR);


/** 'InsertUser' parameters type */
export interface IInsertUserParams {
  email: string;
}

/** 'InsertUser' return type */
export interface IInsertUserResult {
  created_at: Date;
  email: string;
  id: string;
}

/** 'InsertUser' query type */
export interface IInsertUserQuery {
  params: IInsertUserParams;
  result: IInsertUserResult;
}

const insertUserIR: any = {"usedParamSet":{"email":true},"params":[{"name":"email","required":true,"transform":{"type":"scalar"},"locs":[{"a":35,"b":41}]}],"statement":"INSERT INTO \"user\" (email) VALUES (:email!) RETURNING id, email, created_at"};

/**
 * Query generated from SQL:
 * ```
 * INSERT INTO "user" (email) VALUES (:email!) RETURNING id, email, created_at
 * ```
 */
export const insertUser = new PreparedQuery<IInsertUserParams,IInsertUserResult>(insertUserIR);


