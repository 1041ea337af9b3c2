namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// How the agent's k8s workload attestor verifies the kubelet's serving certificate.
type KubeletVerification =
    | Auto
    | HostCert
    | Skip

type WorkloadAttestorsVerification =
    { Type: KubeletVerification
      HostCertBasePath: string option
      HostCertFileName: string option }

type NodeAttestor = { K8sPSATEnabled: bool }

type WorkloadAttestors =
    { K8sEnabled: bool
      DisableContainerSelectors: bool
      UseNewContainerLocator: bool
      Verification: WorkloadAttestorsVerification option }

/// SpireAgent `cluster`: the SPIRE agent DaemonSet. Unlike upstream, an omitted nodeAttestor or
/// workloadAttestors object takes its documented defaults (enabled) instead of disabling attestation.
type SpireAgentSpec =
    { SocketPath: string
      LogLevel: LogLevel
      LogFormat: LogFormat
      NodeAttestor: NodeAttestor
      WorkloadAttestors: WorkloadAttestors
      Common: CommonConfig }

/// Reading and printing the SpireAgent spec.
[<RequireQualifiedAccess>]
module SpireAgentSpec =

    let verificationTypes = [ "auto", Auto; "hostCert", HostCert; "skip", Skip ]

    let private verification (n: Node) : Validated<WorkloadAttestorsVerification option> =
        let at name = Read.field name n

        match n.Value with
        | None -> Ok None
        | Some _ ->
            validated {
                let! _ = Read.object n

                and! kind =
                    Read.string (at "type")
                    |> Read.enum (at "type") verificationTypes
                    |> Read.orDefault Auto

                and! basePath = Read.optionalString (at "hostCertBasePath")

                and! fileName =
                    Read.optionalString (at "hostCertFileName")
                    |> Read.maxLength (at "hostCertFileName") 256
                    |> Read.pattern (at "hostCertFileName") "^[a-zA-Z0-9._-]+$"

                return
                    Some
                        { Type = kind
                          HostCertBasePath = basePath
                          HostCertFileName = fileName }
            }
            |> Validated.check (fun v ->
                match v with
                | Some v when v.Type = HostCert ->
                    Validated.errorsOf
                        [ (if v.HostCertBasePath.IsNone then
                               Some(
                                   Read.error
                                       (at "hostCertBasePath")
                                       "hostCertBasePath is required when type is 'hostCert'"
                               )
                           else
                               None)
                          (if v.HostCertFileName.IsNone then
                               Some(
                                   Read.error
                                       (at "hostCertFileName")
                                       "hostCertFileName is required when type is 'hostCert'"
                               )
                           else
                               None) ]
                | _ -> [])

    let private flag (n: Node) name fallback =
        Scalars.stringBool (Read.field name n) |> Read.orDefault fallback

    let read (spec: Node) : Validated<SpireAgentSpec> =
        let at name = Read.field name spec
        let node = at "nodeAttestor"
        let workload = at "workloadAttestors"

        validated {
            let! socket = SpiffeCSIDriverSpec.socketPath (at "socketPath")
            and! level = Scalars.logLevel (at "logLevel")
            and! format = Scalars.logFormat (at "logFormat")
            and! _ = Read.object node
            and! psat = flag node "k8sPSATEnabled" true
            and! _ = Read.object workload
            and! k8s = flag workload "k8sEnabled" true
            and! disableSelectors = flag workload "disableContainerSelectors" false
            and! newLocator = flag workload "useNewContainerLocator" true
            and! verify = verification (Read.field "workloadAttestorsVerification" workload)
            and! common = CommonConfig.read spec

            return
                { SocketPath = socket
                  LogLevel = level
                  LogFormat = format
                  NodeAttestor = { K8sPSATEnabled = psat }
                  WorkloadAttestors =
                    { K8sEnabled = k8s
                      DisableContainerSelectors = disableSelectors
                      UseNewContainerLocator = newLocator
                      Verification = verify }
                  Common = common }
        }

    let print (s: SpireAgentSpec) =
        let w = s.WorkloadAttestors

        Json.objOpt (
            [ "socketPath", Some(Json.String s.SocketPath)
              "logLevel", Some(Json.String(Scalars.spell Scalars.logLevels s.LogLevel))
              "logFormat", Some(Json.String(Scalars.spell Scalars.logFormats s.LogFormat))
              "nodeAttestor", Some(Json.obj [ "k8sPSATEnabled", Scalars.printBool s.NodeAttestor.K8sPSATEnabled ])
              "workloadAttestors",
              Some(
                  Json.objOpt
                      [ "k8sEnabled", Some(Scalars.printBool w.K8sEnabled)
                        "disableContainerSelectors", Some(Scalars.printBool w.DisableContainerSelectors)
                        "useNewContainerLocator", Some(Scalars.printBool w.UseNewContainerLocator)
                        "workloadAttestorsVerification",
                        w.Verification
                        |> Option.map (fun v ->
                            Json.objOpt
                                [ "type", Some(Json.String(Scalars.spell verificationTypes v.Type))
                                  "hostCertBasePath", v.HostCertBasePath |> Option.map Json.String
                                  "hostCertFileName", v.HostCertFileName |> Option.map Json.String ]) ]
              ) ]
            @ CommonConfig.print s.Common
        )
