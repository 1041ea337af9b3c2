/// Immutable fields at the reconcile level: after convergence, a change to any immutable field (trust domain,
/// cluster name, bundle ConfigMap, persistence, federation profile, federation removal) never reaches the
/// operands; the controllers that embody it report ConfigurationValid False naming the field with its applied
/// and requested values; reverting resumes, and each condition's transition time moves only with its status.
module Ztwim.Properties.ImmutabilityProperties

open Expecto
open FsCheck
open FsCheck.FSharp
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Plan
open Ztwim.Kernel.Status
open Ztwim.Kernel.Reconcile
open Ztwim.Properties.Generators
open Ztwim.Properties.ReconcileScenarios

/// One immutable field: how the condition names it, which operand controllers embody it, how to make a CR
/// set where it is set, and a change to it with the values before and after (None: unset).
type private ImmutableField =
    { Name: string
      Field: string
      EmbodiedBy: Kind list
      Prepare: Map<Kind, Json> -> Map<Kind, Json>
      Change: Map<Kind, Json> -> Gen<Map<Kind, Json> * string * string option> }

let private text (path: string list) (cr: Json) =
    match JsonEdit.get path cr with
    | Some(Json.String s) when s <> "" -> Some s
    | _ -> None

let private edit (kind: Kind) (path: string list) (value: Json option) (crs: Map<Kind, Json>) =
    Map.add kind (JsonEdit.set path value (Map.find kind crs)) crs

/// A string field of one CR with its default: the new value differs from the effective old one.
let private stringField name kind (path: string list) (fallback: string) embodiedBy (values: Gen<string>) =
    { Name = name
      Field = sprintf "%s %s" (Kind.name kind) (String.concat "." path)
      EmbodiedBy = embodiedBy
      Prepare = id
      Change =
        fun crs ->
            let before = text path (Map.find kind crs) |> Option.defaultValue fallback

            values
            |> Gen.filter ((<>) before)
            |> Gen.map (fun after -> edit kind path (Some(Json.String after)) crs, before, Some after) }

let private ztwim = Kind.ZeroTrustWorkloadIdentityManager
let private server = Kind.SpireServer

/// The persistence settings as the StatefulSet records them: compact JSON, keys sorted, defaults filled in.
let private persistenceText (cr: Json) =
    let at (name: string) fallback =
        text [ "spec"; "persistence"; name ] cr |> Option.defaultValue fallback

    sprintf
        """{"accessMode":"%s","size":"%s","storageClass":"%s"}"""
        (at "accessMode" "ReadWriteOnce")
        (at "size" "1Gi")
        (at "storageClass" "")

let private persistence =
    { Name = "persistence"
      Field = "SpireServer spec.persistence"
      EmbodiedBy = [ server ]
      Prepare = id
      Change =
        fun crs ->
            let cr = Map.find server crs

            let setting =
                Gen.elements
                    [ "size", Gen.choose (1, 500) |> Gen.map (sprintf "%dGi")
                      "accessMode", Gen.elements [ "ReadWriteOnce"; "ReadWriteOncePod"; "ReadWriteMany" ]
                      "storageClass", Gen.elements [ ""; "fast"; "gp3-csi" ] ]

            setting
            |> Gen.bind (fun (name, values) ->
                values
                |> Gen.map (fun v -> JsonEdit.set [ "spec"; "persistence"; name ] (Some(Json.String v)) cr))
            |> Gen.filter (fun after -> persistenceText after <> persistenceText cr)
            |> Gen.map (fun after -> Map.add server after crs, persistenceText cr, Some(persistenceText after)) }

let private spiffeEndpoint = Json.obj [ "profile", Json.String "https_spiffe" ]

let private webEndpoint (source: string) =
    let body =
        match source with
        | "acme" ->
            Json.obj
                [ "directoryUrl", Json.String "https://acme-v02.api.letsencrypt.org/directory"
                  "domainName", Json.String "federation.example.org"
                  "email", Json.String "admin@example.org"
                  "tosAccepted", Json.String "true" ]
        | _ -> Json.obj []

    Json.obj [ "profile", Json.String "https_web"; "httpsWeb", Json.obj [ source, body ] ]

/// The federation profile as recorded: https_spiffe, or https_web with its certificate source.
let private profileText (cr: Json) =
    match text [ "spec"; "federation"; "bundleEndpoint"; "profile" ] cr with
    | Some "https_web" ->
        match JsonEdit.get [ "spec"; "federation"; "bundleEndpoint"; "httpsWeb" ] cr with
        | Some(Json.Object m) when m.ContainsKey "acme" -> "https_web/acme"
        | Some(Json.Object m) when m.ContainsKey "servingCert" -> "https_web/servingCert"
        | _ -> "https_web"
    | _ -> "https_spiffe"

/// A SpireServer that federates: its own federation, or one with the https_spiffe profile.
let private federating (crs: Map<Kind, Json>) =
    match JsonEdit.get [ "spec"; "federation" ] (Map.find server crs) with
    | Some(Json.Object _) -> crs
    | _ -> edit server [ "spec"; "federation" ] (Some(Json.obj [ "bundleEndpoint", spiffeEndpoint ])) crs

let private endpoint = [ "spec"; "federation"; "bundleEndpoint" ]

let private federationProfile =
    { Name = "federation profile"
      Field = "SpireServer spec.federation.bundleEndpoint"
      EmbodiedBy = [ server ]
      Prepare = federating
      Change =
        fun crs ->
            let cr = Map.find server crs
            let before = profileText cr

            let bundleEndpoint (e: Json) =
                // The refresh hint is not immutable; keep it so that only the profile changes.
                match JsonEdit.get (endpoint @ [ "refreshHint" ]) cr with
                | Some hint -> JsonEdit.set [ "refreshHint" ] (Some hint) e
                | None -> e

            Gen.elements [ spiffeEndpoint; webEndpoint "acme"; webEndpoint "servingCert" ]
            |> Gen.map (fun e -> JsonEdit.set endpoint (Some(bundleEndpoint e)) cr)
            |> Gen.filter (fun after -> profileText after <> before)
            |> Gen.map (fun after -> Map.add server after crs, before, Some(profileText after)) }

let private federationRemoval =
    { Name = "federation removed"
      Field = "SpireServer spec.federation.bundleEndpoint"
      EmbodiedBy = [ server ]
      Prepare = federating
      Change =
        fun crs -> Gen.constant (edit server [ "spec"; "federation" ] None crs, profileText (Map.find server crs), None) }

let private fields =
    [ stringField
          "trust domain"
          ztwim
          [ "spec"; "trustDomain" ]
          ""
          [ Kind.SpireServer; Kind.SpireAgent; Kind.SpireOIDCDiscoveryProvider ]
          Values.trustDomain
      stringField
          "cluster name"
          ztwim
          [ "spec"; "clusterName" ]
          ""
          [ Kind.SpireServer; Kind.SpireAgent ]
          Values.clusterName
      stringField
          "bundle ConfigMap"
          ztwim
          [ "spec"; "bundleConfigMap" ]
          ZtwimSpec.defaultBundleConfigMap
          [ Kind.SpireServer; Kind.SpireAgent ]
          (Values.dnsLabel 20)
      persistence
      federationProfile
      federationRemoval ]

/// A field changed after convergence: the field, the controller, its Mode and converged cluster, the objects
/// since lost from it, the CRs before and after, and the field's value before and after.
[<StructuredFormatDisplay("{Display}")>]
type private Case =
    { Field: ImmutableField
      Controller: Kind
      Mode: Mode
      Cluster: Map<ObjectRef, Json>
      Dropped: Set<ObjectRef>
      Before: Map<Kind, Json>
      After: Map<Kind, Json>
      Applied: string
      Requested: string option }

    member c.Display =
        let changed =
            c.After
            |> Map.toList
            |> List.filter (fun (k, j) -> Map.tryFind k c.Before <> Some j)
            |> List.map (fun (k, j) -> sprintf "  %s %s" (Kind.name k) (JsonText.compact j))

        sprintf
            "%s changed (%s -> %A), controller %s, namespace %s, %A, %d objects converged\nlost:\n%s\nchanged CRs:\n%s"
            c.Field.Name
            c.Applied
            c.Requested
            (Kind.name c.Controller)
            c.Mode.Namespace
            c.Mode.Platform
            c.Cluster.Count
            (c.Dropped
             |> Seq.map (Action.describeRef >> sprintf "  %s")
             |> String.concat "\n")
            (String.concat "\n" changed)

let private changedAfterConvergence =
    gen {
        let! field = Gen.elements fields
        let! kind, crs, mode, _, cluster = convergedFrom Ready.operandKinds (storedCrs |> Gen.map field.Prepare)
        let! changed, before, after = field.Change crs

        return
            { Field = field
              Controller = kind
              Mode = mode
              Cluster = cluster
              Dropped = Set.empty
              Before = crs
              After = changed
              Applied = before
              Requested = after }
    }

let private isWorkload (r: ObjectRef) =
    List.contains r.Kind [ "StatefulSet"; "DaemonSet"; "Deployment" ]

/// The same, with some of the objects other than the workload lost (deleted by hand, say) meanwhile.
let private changedWithObjectsLost =
    gen {
        let! c = changedAfterConvergence

        let! dropped =
            c.Cluster.Keys
            |> Seq.filter (isWorkload >> not)
            |> List.ofSeq
            |> List.map (fun r -> Gen.frequency [ 2, Gen.constant None; 1, Gen.constant (Some r) ])
            |> Gen.sequenceToList

        return
            { c with
                Dropped = dropped |> List.choose id |> Set.ofList }
    }

let private config = ParseProperties.config 120

let private configurationValid (d: Decision) =
    conditions d
    |> Conditions.tryFind "ConfigurationValid"
    |> Option.map (fun c -> c.Status, c.Reason, c.Message, c.LastTransitionTime)

let private validMessage = "All configuration fields are valid"

let private quoted (value: string option) =
    value
    |> Option.map (Json.String >> JsonText.compact)
    |> Option.defaultValue "unset"

[<Tests>]
let properties =
    testList
        "immutability"
        [ testPropertyWithConfig
              config
              "an immutable field changed after convergence: no operand write, ConfigurationValid names it; reverting resumes"
          <| Prop.forAll (Arb.fromGen changedAfterConvergence) (fun c ->
              let kind, field = c.Controller, c.Field

              let at minutes (crs: Map<Kind, Json>) =
                  { inputs kind crs c.Cluster c.Mode with
                      Now = now.AddMinutes minutes }

              let converged = Reconcile.reconcile (at 0.0 c.Before)
              Expect.equal (describe converged.Actions) [] "actions on the converged cluster"
              let t1, t2 = now.AddMinutes 10.0, now.AddMinutes 20.0
              let refused = Reconcile.reconcile (at 10.0 (withStatus kind converged c.After))
              Expect.equal (describe refused.Actions) [] "operand writes after the change"

              let valid = Some(ConditionStatus.True, "ConfigurationValid", validMessage, now)

              if List.contains kind field.EmbodiedBy then
                  let message =
                      sprintf
                          "%s is immutable: applied %s, requested %s; revert the change to resume reconciliation"
                          field.Field
                          (quoted (Some c.Applied))
                          (quoted c.Requested)

                  Expect.equal
                      (configurationValid refused)
                      (Some(ConditionStatus.False, "ImmutableFieldChanged", message, t1))
                      "ConfigurationValid after the change"

                  let ready = conditions refused |> Conditions.tryFind "Ready"

                  Expect.equal
                      (ready
                       |> Option.map (fun c -> c.Status, c.Reason, c.Message, c.LastTransitionTime))
                      (Some(ConditionStatus.False, "Failed", "ConfigurationValid: " + message, t1))
                      "Ready after the change"
              else
                  Expect.equal (configurationValid refused) valid "ConfigurationValid: a field this controller ignores"

              let resumed = Reconcile.reconcile (at 20.0 (withStatus kind refused c.Before))
              Expect.equal (describe resumed.Actions) [] "operand writes after reverting"

              let expectedTime = if List.contains kind field.EmbodiedBy then t2 else now

              Expect.equal
                  (configurationValid resumed)
                  (Some(ConditionStatus.True, "ConfigurationValid", validMessage, expectedTime))
                  "ConfigurationValid after reverting"

              Expect.isTrue (Conditions.isTrue "Ready" (conditions resumed)) "Ready after reverting")

          testPropertyWithConfig
              config
              "an immutable field changed while other objects are lost: no operand write as long as the workload records it"
          <| Prop.forAll (Arb.fromGen changedWithObjectsLost) (fun c ->
              let kind, field = c.Controller, c.Field
              let observed = c.Cluster |> Map.filter (fun r _ -> not (c.Dropped.Contains r))

              let at minutes (crs: Map<Kind, Json>) =
                  { inputs kind crs observed c.Mode with
                      Now = now.AddMinutes minutes }

              let recreated (d: Decision) =
                  d.Actions
                  |> List.map (function
                      | Create(r, _) -> Ok r
                      | other -> Error(Action.describe other))
                  |> List.sort

              let lost = c.Dropped |> Set.toList |> List.map Ok
              let converged = Reconcile.reconcile (inputs kind c.Before c.Cluster c.Mode)
              let refused = Reconcile.reconcile (at 10.0 (withStatus kind converged c.After))

              if List.contains kind field.EmbodiedBy then
                  Expect.equal (describe refused.Actions) [] "operand writes after the change"

                  Expect.equal
                      (configurationValid refused |> Option.map (fun (s, r, _, _) -> s, r))
                      (Some(ConditionStatus.False, "ImmutableFieldChanged"))
                      "ConfigurationValid after the change"
              else
                  Expect.equal (recreated refused) lost "a controller that ignores the field recreates what was lost"

              let resumed = Reconcile.reconcile (at 20.0 (withStatus kind refused c.Before))
              Expect.equal (recreated resumed) lost "after reverting, what was lost is recreated"

              Expect.equal
                  (configurationValid resumed |> Option.map (fun (s, r, _, _) -> s, r))
                  (Some(ConditionStatus.True, "ConfigurationValid"))
                  "ConfigurationValid after reverting") ]
