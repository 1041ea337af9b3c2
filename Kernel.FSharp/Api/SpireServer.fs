namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// The subject of the SPIRE server's CA certificate.
type CaSubject =
    { Country: string option
      Organization: string option
      CommonName: string option }

type AccessMode =
    | ReadWriteOnce
    | ReadWriteOncePod
    | ReadWriteMany

/// The server's data volume. Immutable: a change would orphan the SPIRE server's database.
type Persistence =
    { Size: string
      AccessMode: AccessMode
      StorageClass: string }

type DatabaseType =
    | Sql
    | Sqlite3
    | Postgres
    | Mysql
    | AwsPostgresql
    | AwsMysql

/// The SPIRE server's SQL datastore plugin settings.
type Datastore =
    { DatabaseType: DatabaseType
      ConnectionString: string
      TlsSecretName: string option
      MaxOpenConns: int64
      MaxIdleConns: int64
      ConnMaxLifetime: int64
      DisableMigration: bool }

/// Where the server keeps its signing keys.
type KeyManager =
    { DiskEnabled: bool
      MemoryEnabled: bool }

/// SpireServer `cluster`: the SPIRE server StatefulSet and its controller manager.
type SpireServerSpec =
    { LogLevel: LogLevel
      LogFormat: LogFormat
      JwtIssuer: string
      CaValidity: Duration
      DefaultX509Validity: Duration
      DefaultJWTValidity: Duration
      CaKeyType: KeyType
      JwtKeyType: KeyType option
      KeyManager: KeyManager option
      CaSubject: CaSubject
      Persistence: Persistence
      Datastore: Datastore
      Federation: Federation option
      Common: CommonConfig }

/// Reading and printing the SpireServer spec.
[<RequireQualifiedAccess>]
module SpireServerSpec =

    let accessModes =
        [ "ReadWriteOnce", ReadWriteOnce
          "ReadWriteOncePod", ReadWriteOncePod
          "ReadWriteMany", ReadWriteMany ]

    let databaseTypes =
        [ "sql", Sql
          "sqlite3", Sqlite3
          "postgres", Postgres
          "mysql", Mysql
          "aws_postgresql", AwsPostgresql
          "aws_mysql", AwsMysql ]

    let defaultConnectionString = "/run/spire/data/datastore.sqlite3"

    let private caSubject (n: Node) : Validated<CaSubject> =
        let text name max =
            let at = Read.field name n
            Read.optionalString at |> Read.maxLength at max

        validated {
            let! _ = Read.object n |> Read.required n
            and! country = text "country" 2
            and! organization = text "organization" 64
            and! commonName = text "commonName" 255

            return
                { Country = country
                  Organization = organization
                  CommonName = commonName }
        }

    let private persistence (n: Node) : Validated<Persistence> =
        let at name = Read.field name n

        validated {
            let! _ = Read.object n |> Read.required n

            and! size =
                Read.string (at "size")
                |> Read.pattern (at "size") "^[1-9][0-9]*Gi$"
                |> Read.orDefault "1Gi"

            and! mode =
                Read.string (at "accessMode")
                |> Read.enum (at "accessMode") accessModes
                |> Read.orDefault ReadWriteOnce

            and! storageClass = Read.string (at "storageClass") |> Read.orDefault ""

            return
                { Size = size
                  AccessMode = mode
                  StorageClass = storageClass }
        }

    let private datastore (n: Node) : Validated<Datastore> =
        let at name = Read.field name n

        validated {
            let! _ = Read.object n |> Read.required n

            and! dbType =
                Read.string (at "databaseType")
                |> Read.enum (at "databaseType") databaseTypes
                |> Read.orDefault Sqlite3

            and! connection =
                Read.string (at "connectionString")
                |> Read.minLength (at "connectionString") 1
                |> Read.maxLength (at "connectionString") 2048
                |> Read.orDefault defaultConnectionString

            and! tls = Read.optionalString (at "tlsSecretName")

            and! maxOpen =
                Read.integer (at "maxOpenConns")
                |> Read.range (at "maxOpenConns") 1L 10000L
                |> Read.orDefault 100L

            and! maxIdle =
                Read.integer (at "maxIdleConns")
                |> Read.range (at "maxIdleConns") 0L 10000L
                |> Read.orDefault 2L

            and! lifetime =
                Read.integer (at "connMaxLifetime")
                |> Read.atLeast (at "connMaxLifetime") 0L
                |> Read.orDefault 0L

            and! disable = Scalars.stringBool (at "disableMigration") |> Read.orDefault false

            return
                { DatabaseType = dbType
                  ConnectionString = connection
                  TlsSecretName = tls
                  MaxOpenConns = maxOpen
                  MaxIdleConns = maxIdle
                  ConnMaxLifetime = lifetime
                  DisableMigration = disable }
        }

    let private keyManager (n: Node) : Validated<KeyManager option> =
        match n.Value with
        | None -> Ok None
        | Some _ ->
            validated {
                let! _ = Read.object n
                and! disk = Scalars.stringBool (Read.field "diskEnabled" n) |> Read.orDefault true
                and! memory = Scalars.stringBool (Read.field "memoryEnabled" n) |> Read.orDefault false

                return
                    Some
                        { DiskEnabled = disk
                          MemoryEnabled = memory }
            }

    let private keyType (n: Node) =
        Read.string n |> Read.enum n Scalars.keyTypes

    let private duration (n: Node) (fallback: string) =
        Scalars.duration n
        |> Read.satisfies
            n
            (fun d -> d.Nanoseconds > 0L)
            (sprintf "%s must be a positive duration" (n.Path.Substring 5))
        |> Result.map (
            Option.defaultWith (fun () ->
                match Duration.parse fallback with
                | Ok d -> d
                | Error _ -> Duration.ofNanoseconds 0L)
        )

    // TTL ordering: upstream checks it in the controller; ztwim also enforces it at admission (CEL).
    let private ttlOrder (spec: Node) (s: SpireServerSpec) =
        let ca = Read.field "caValidity" spec

        Validated.errorsOf
            [ (if s.CaValidity.Nanoseconds < s.DefaultX509Validity.Nanoseconds then
                   Some(Read.error ca "caValidity must be greater than or equal to defaultX509Validity")
               else
                   None)
              (if s.CaValidity.Nanoseconds < s.DefaultJWTValidity.Nanoseconds then
                   Some(Read.error ca "caValidity must be greater than or equal to defaultJWTValidity")
               else
                   None) ]

    let read (spec: Node) : Validated<SpireServerSpec> =
        let at name = Read.field name spec

        validated {
            let! level = Scalars.logLevel (at "logLevel")
            and! format = Scalars.logFormat (at "logFormat")
            and! issuer = JwtIssuer.read (at "jwtIssuer")
            and! ca = duration (at "caValidity") "24h"
            and! x509 = duration (at "defaultX509Validity") "1h"
            and! jwt = duration (at "defaultJWTValidity") "5m"
            and! caKey = keyType (at "caKeyType") |> Read.orDefault Rsa2048
            and! jwtKey = keyType (at "jwtKeyType")
            and! keys = keyManager (at "keyManager")
            and! subject = caSubject (at "caSubject")
            and! volume = persistence (at "persistence")
            and! store = datastore (at "datastore")
            and! federation = Federation.read (at "federation")
            and! common = CommonConfig.read spec

            return
                { LogLevel = level
                  LogFormat = format
                  JwtIssuer = issuer
                  CaValidity = ca
                  DefaultX509Validity = x509
                  DefaultJWTValidity = jwt
                  CaKeyType = caKey
                  JwtKeyType = jwtKey
                  KeyManager = keys
                  CaSubject = subject
                  Persistence = volume
                  Datastore = store
                  Federation = federation
                  Common = common }
        }
        |> Validated.check (ttlOrder spec)

    let private text (s: string) = Some(Json.String s)
    let private int (i: int64) = Some(Json.Number(decimal i))

    let print (s: SpireServerSpec) =
        Json.objOpt (
            [ "logLevel", text (Scalars.spell Scalars.logLevels s.LogLevel)
              "logFormat", text (Scalars.spell Scalars.logFormats s.LogFormat)
              "jwtIssuer", text s.JwtIssuer
              "caValidity", text s.CaValidity.Text
              "defaultX509Validity", text s.DefaultX509Validity.Text
              "defaultJWTValidity", text s.DefaultJWTValidity.Text
              "caKeyType", text (Scalars.spell Scalars.keyTypes s.CaKeyType)
              "jwtKeyType", s.JwtKeyType |> Option.map (Scalars.spell Scalars.keyTypes >> Json.String)
              "keyManager",
              s.KeyManager
              |> Option.map (fun k ->
                  Json.obj
                      [ "diskEnabled", Scalars.printBool k.DiskEnabled
                        "memoryEnabled", Scalars.printBool k.MemoryEnabled ])
              "caSubject",
              Some(
                  Json.objOpt
                      [ "country", s.CaSubject.Country |> Option.map Json.String
                        "organization", s.CaSubject.Organization |> Option.map Json.String
                        "commonName", s.CaSubject.CommonName |> Option.map Json.String ]
              )
              "persistence",
              Some(
                  Json.obj
                      [ "size", Json.String s.Persistence.Size
                        "accessMode", Json.String(Scalars.spell accessModes s.Persistence.AccessMode)
                        "storageClass", Json.String s.Persistence.StorageClass ]
              )
              "datastore",
              Some(
                  Json.objOpt
                      [ "databaseType", text (Scalars.spell databaseTypes s.Datastore.DatabaseType)
                        "connectionString", text s.Datastore.ConnectionString
                        "tlsSecretName", s.Datastore.TlsSecretName |> Option.map Json.String
                        "maxOpenConns", int s.Datastore.MaxOpenConns
                        "maxIdleConns", int s.Datastore.MaxIdleConns
                        "connMaxLifetime", int s.Datastore.ConnMaxLifetime
                        "disableMigration", Some(Scalars.printBool s.Datastore.DisableMigration) ]
              )
              "federation", s.Federation |> Option.map Federation.print ]
            @ CommonConfig.print s.Common
        )
