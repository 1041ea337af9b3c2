module Ztwim.Specs.Api.SpireServerSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Api.Examples

let private duration =
    "must be a duration such as 24h, 90m or 1h30m (units ns, us, ms, s, m, h)"

let private keyTypes = "must be one of: rsa-2048, rsa-4096, ec-p256, ec-p384"

let private caOrder other =
    sprintf "caValidity must be greater than or equal to %s" other

/// The TTL ordering error: reported on caValidity, whose value is None when it was defaulted.
let private ttlOrder (ca: Json option) other =
    FieldError.admission "spec.caValidity" (caOrder other) ca

let private ttls =
    [ defaults "spec.caValidity" (str "24h")
      defaults "spec.defaultX509Validity" (str "1h")
      defaults "spec.defaultJWTValidity" (str "5m")
      accepts "spec.caValidity" (str "48h")
      accepts "spec.caValidity" (str "1h")
      accepts "spec.defaultX509Validity" (str "90m")
      accepts "spec.defaultJWTValidity" (str "1.5m")
      rejects "spec.caValidity" (str "1d") duration
      rejects "spec.defaultX509Validity" (str "1") duration
      rejects "spec.defaultJWTValidity" (num 300) "must be a string, not integer"
      rejects "spec.caValidity" (str "0") "caValidity must be a positive duration"
      rejects "spec.caValidity" (str "-24h") "caValidity must be a positive duration"
      rejects "spec.defaultX509Validity" (str "0s") "defaultX509Validity must be a positive duration"
      rejects "spec.defaultJWTValidity" (str "-5m") "defaultJWTValidity must be a positive duration"
      example
          "caValidity below defaultX509Validity"
          (set "spec.caValidity" (str "30m"))
          (Refused [ ttlOrder (Some(str "30m")) "defaultX509Validity" ])
      example
          "caValidity below both SVID TTLs"
          (set "spec.caValidity" (str "1m"))
          (Refused
              [ ttlOrder (Some(str "1m")) "defaultX509Validity"
                ttlOrder (Some(str "1m")) "defaultJWTValidity" ])
      example
          "defaultX509Validity above the defaulted caValidity"
          (set "spec.defaultX509Validity" (str "25h"))
          (Refused [ ttlOrder None "defaultX509Validity" ])
      example
          "defaultJWTValidity above the defaulted caValidity"
          (set "spec.defaultJWTValidity" (str "1440m1s"))
          (Refused [ ttlOrder None "defaultJWTValidity" ])
      example
          "SVID TTLs equal to caValidity"
          (edits
              [ set "spec.defaultX509Validity" (str "24h")
                set "spec.defaultJWTValidity" (str "1440m") ])
          (Reads("spec.defaultJWTValidity", Some(str "1440m"))) ]

let private keys =
    [ defaults "spec.caKeyType" (str "rsa-2048")
      accepts "spec.caKeyType" (str "rsa-4096")
      accepts "spec.caKeyType" (str "ec-p384")
      rejects "spec.caKeyType" (str "rsa-1024") keyTypes
      unsetByDefault "spec.jwtKeyType"
      accepts "spec.jwtKeyType" (str "ec-p256")
      rejects "spec.jwtKeyType" (str "dsa") keyTypes
      unsetByDefault "spec.keyManager"
      reads "spec.keyManager" (json "{}") (Some(json """{"diskEnabled": "true", "memoryEnabled": "false"}"""))
      rejects "spec.keyManager" (str "disk") "must be an object, not string" ]
    @ (stringBoolRows "spec.keyManager.diskEnabled" true
       @ stringBoolRows "spec.keyManager.memoryEnabled" false
       |> List.map (fun row ->
           { row with
               Edit = set "spec.keyManager" (json "{}") >> row.Edit }))

let private subject =
    [ requires "spec.caSubject"
      reads "spec.caSubject" (json "{}") (Some(json "{}"))
      accepts "spec.caSubject.country" (str "US")
      rejects "spec.caSubject.country" (str "USA") "must be at most 2 characters"
      accepts "spec.caSubject.organization" (str (repeat 64 "o"))
      rejects "spec.caSubject.organization" (str (repeat 65 "o")) "must be at most 64 characters"
      accepts "spec.caSubject.commonName" (str (repeat 255 "n"))
      rejects "spec.caSubject.commonName" (str (repeat 256 "n")) "must be at most 255 characters"
      reads "spec.caSubject.commonName" (str "") None
      rejects "spec.caSubject" (json "[]") "must be an object, not array" ]

let private persistence =
    [ requires "spec.persistence"
      defaults "spec.persistence.size" (str "1Gi")
      accepts "spec.persistence.size" (str "10Gi")
      rejects "spec.persistence.size" (str "1Ti") "must match the pattern ^[1-9][0-9]*Gi$"
      rejects "spec.persistence.size" (str "0Gi") "must match the pattern ^[1-9][0-9]*Gi$"
      rejects "spec.persistence.size" (str "512Mi") "must match the pattern ^[1-9][0-9]*Gi$"
      defaults "spec.persistence.accessMode" (str "ReadWriteOnce")
      accepts "spec.persistence.accessMode" (str "ReadWriteOncePod")
      accepts "spec.persistence.accessMode" (str "ReadWriteMany")
      rejects
          "spec.persistence.accessMode"
          (str "ReadOnlyMany")
          "must be one of: ReadWriteOnce, ReadWriteOncePod, ReadWriteMany"
      defaults "spec.persistence.storageClass" (str "")
      accepts "spec.persistence.storageClass" (str "gp3-csi") ]

let private datastore =
    [ requires "spec.datastore"
      defaults "spec.datastore.databaseType" (str "sqlite3")
      accepts "spec.datastore.databaseType" (str "postgres")
      accepts "spec.datastore.databaseType" (str "aws_mysql")
      rejects
          "spec.datastore.databaseType"
          (str "oracle")
          "must be one of: sql, sqlite3, postgres, mysql, aws_postgresql, aws_mysql"
      defaults "spec.datastore.connectionString" (str "/run/spire/data/datastore.sqlite3")
      accepts "spec.datastore.connectionString" (str "dbname=spire host=db")
      accepts "spec.datastore.connectionString" (str (repeat 2048 "c"))
      rejects "spec.datastore.connectionString" (str "") "must not be empty"
      rejects "spec.datastore.connectionString" (str (repeat 2049 "c")) "must be at most 2048 characters"
      unsetByDefault "spec.datastore.tlsSecretName"
      accepts "spec.datastore.tlsSecretName" (str "db-tls")
      reads "spec.datastore.tlsSecretName" (str "") None
      defaults "spec.datastore.maxOpenConns" (num 100)
      accepts "spec.datastore.maxOpenConns" (num 1)
      accepts "spec.datastore.maxOpenConns" (num 10000)
      rejects "spec.datastore.maxOpenConns" (num 0) "must be between 1 and 10000"
      rejects "spec.datastore.maxOpenConns" (num 10001) "must be between 1 and 10000"
      rejects "spec.datastore.maxOpenConns" (str "100") "must be an integer, not string"
      defaults "spec.datastore.maxIdleConns" (num 2)
      accepts "spec.datastore.maxIdleConns" (num 0)
      accepts "spec.datastore.maxIdleConns" (num 10000)
      rejects "spec.datastore.maxIdleConns" (num -1) "must be between 0 and 10000"
      rejects "spec.datastore.maxIdleConns" (num 10001) "must be between 0 and 10000"
      defaults "spec.datastore.connMaxLifetime" (num 0)
      accepts "spec.datastore.connMaxLifetime" (num 3600)
      rejects "spec.datastore.connMaxLifetime" (num -1) "must be at least 0"
      rejects "spec.datastore.connMaxLifetime" (Json.Number 1.5m) "must be an integer, not number" ]
    @ stringBoolRows "spec.datastore.disableMigration" false

let private server =
    table
        "SpireServer"
        Kind.SpireServer
        (minimal Kind.SpireServer)
        (logRows
         @ [ requires "spec.jwtIssuer"; unsetByDefault "spec.federation" ]
         @ ttls
         @ keys
         @ subject
         @ persistence
         @ datastore)

let tables = [ server ]

[<Tests>]
let tests = tableTests server

[<Tests>]
let durations =
    testList
        "SpireServer durations"
        [ test "keep the text as written and compare by length" {
              match (parsed Kind.SpireServer (set "spec.caValidity" (str "1.5h") (minimal Kind.SpireServer))) with
              | SpireServer r ->
                  Expect.equal r.Spec.CaValidity.Text "1.5h" "text"
                  Expect.equal r.Spec.CaValidity.Nanoseconds 5_400_000_000_000L "nanoseconds"
                  Expect.equal (Duration.goString r.Spec.DefaultX509Validity) "1h0m0s" "default x509"
                  Expect.equal (Duration.goString r.Spec.DefaultJWTValidity) "5m0s" "default jwt"
              | other -> failtestf "parsed as %A" (Crs.kind other)
          } ]
