namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// SpireOIDCDiscoveryProvider `cluster`: the OIDC discovery endpoint for JWT-SVIDs.
type SpireOIDCDiscoveryProviderSpec =
    { LogLevel: LogLevel
      LogFormat: LogFormat
      CsiDriverName: string
      JwtIssuer: string
      ReplicaCount: int64
      ManagedRoute: bool
      ExternalSecretRef: string option
      Common: CommonConfig }

/// Reading and printing the SpireOIDCDiscoveryProvider spec.
[<RequireQualifiedAccess>]
module SpireOIDCDiscoveryProviderSpec =

    let read (spec: Node) : Validated<SpireOIDCDiscoveryProviderSpec> =
        let at name = Read.field name spec

        validated {
            let! level = Scalars.logLevel (at "logLevel")
            and! format = Scalars.logFormat (at "logFormat")
            and! driver = SpiffeCSIDriverSpec.driverName (at "csiDriverName")
            and! issuer = JwtIssuer.read (at "jwtIssuer")

            and! replicas =
                Read.integer (at "replicaCount")
                |> Read.range (at "replicaCount") 1L 5L
                |> Read.orDefault 1L

            and! managed = Scalars.stringBool (at "managedRoute") |> Read.orDefault true
            // "" means unset, so the manual's `externalSecretRef: ""` applies as written.
            and! secret =
                Read.optionalString (at "externalSecretRef")
                |> Read.maxLength (at "externalSecretRef") 253
                |> Read.pattern (at "externalSecretRef") SpiffeCSIDriverSpec.dnsNamePattern

            and! common = CommonConfig.read spec

            return
                { LogLevel = level
                  LogFormat = format
                  CsiDriverName = driver
                  JwtIssuer = issuer
                  ReplicaCount = replicas
                  ManagedRoute = managed
                  ExternalSecretRef = secret
                  Common = common }
        }

    let print (s: SpireOIDCDiscoveryProviderSpec) =
        Json.objOpt (
            [ "logLevel", Some(Json.String(Scalars.spell Scalars.logLevels s.LogLevel))
              "logFormat", Some(Json.String(Scalars.spell Scalars.logFormats s.LogFormat))
              "csiDriverName", Some(Json.String s.CsiDriverName)
              "jwtIssuer", Some(Json.String s.JwtIssuer)
              "replicaCount", Some(Json.Number(decimal s.ReplicaCount))
              "managedRoute", Some(Scalars.printBool s.ManagedRoute)
              "externalSecretRef", s.ExternalSecretRef |> Option.map Json.String ]
            @ CommonConfig.print s.Common
        )
